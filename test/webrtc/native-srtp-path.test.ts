/**
 * Native SRTP on werift's media path: two real werift peer connections over UDP on
 * 127.0.0.1 (DTLS-SRTP keys from werift's handshake, RFC 5764), Opus-sized RTP every
 * 20 ms each way, RTCP from werift's own sender/receiver reports.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RTCDtlsTransport } from 'werift';
import { connectPeerPair, type Peer } from '../../bench/webrtc-path/werift-peer-pair.js';
import { SrtpProfile } from '../../src/media/native-srtp.js';
import {
  SUPPORTED_WERIFT_VERSION,
  createNativeSrtpBridgeStats,
  useNativeSrtp,
  weriftVersion,
  type NativeSrtpBridgeStats,
} from '../../src/media/werift-native-srtp.js';

const FRAMES = 60;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** `frames` 20 ms frames each way, then waits for all of them and for RTCP both ways. */
async function talk(a: Peer, b: Peer, frames: number): Promise<void> {
  const a0 = a.received.packets;
  const b0 = b.received.packets;
  for (let i = 0; i < frames; i++) {
    await Promise.all([a.sendFrame(), b.sendFrame()]);
    await sleep(20);
  }
  await until('RTP both ways', () => a.received.packets - a0 >= frames && b.received.packets - b0 >= frames);
}

function profileOf(t: RTCDtlsTransport): unknown {
  return t.dtls?.srtp.srtpProfile;
}

const zeroDrops = { authFailed: 0, replayed: 0, tooOld: 0, malformed: 0, otherDropped: 0, sendFailed: 0, refused: 0 };

let closeAll: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeAll?.();
  closeAll = undefined;
});

describe('native SRTP bridge on werift peer connections', () => {
  it('runs on the supported werift release', () => {
    expect(weriftVersion()).toBe(SUPPORTED_WERIFT_VERSION);
  });

  it('bridged offerer (DTLS server, AEAD_AES_128_GCM) talks to plain werift: RTP and SRTCP both ways, every packet native', async () => {
    const stats = createNativeSrtpBridgeStats();
    const { a, b, close } = await connectPeerPair({ nativeA: stats });
    closeAll = close;
    expect(a.dtlsTransport.role).toBe('server');
    expect(profileOf(a.dtlsTransport)).toBe(SrtpProfile.AEAD_AES_128_GCM);
    expect(stats.transports).toBe(1);

    await talk(a, b, FRAMES);
    await until('RTCP both ways', () => stats.rtcpReceived > 0 && a.received.rtcp > 0 && b.received.rtcp > 0 && stats.rtcpSent > 0);

    expect(a.received).toMatchObject({ packets: FRAMES, bytes: FRAMES * 80, corrupt: 0 });
    expect(b.received).toMatchObject({ packets: FRAMES, bytes: FRAMES * 80, corrupt: 0 });
    // Every RTP packet A received was unprotected natively, every one it sent protected natively.
    expect(stats.rtpReceived).toBe(a.received.packets);
    expect(stats.rtpSent).toBe(FRAMES);
    expect(stats.rtcpReceived).toBeGreaterThan(0);
    expect(a.received.rtcp).toBeGreaterThan(0);
    expect(stats).toMatchObject(zeroDrops);
  });

  it('bridged answerer (DTLS client, AES_CM_128_HMAC_SHA1_80) talks to plain werift', async () => {
    const stats = createNativeSrtpBridgeStats();
    const { a, b, close } = await connectPeerPair({ nativeB: stats, srtpProfiles: [SrtpProfile.AES_CM_128_HMAC_SHA1_80] });
    closeAll = close;
    expect(b.dtlsTransport.role).toBe('client');
    expect(profileOf(b.dtlsTransport)).toBe(SrtpProfile.AES_CM_128_HMAC_SHA1_80);

    await talk(a, b, FRAMES);
    await until('SRTCP both ways', () => stats.rtcpReceived > 0 && stats.rtcpSent > 0 && a.received.rtcp > 0);

    expect(a.received).toMatchObject({ packets: FRAMES, corrupt: 0 });
    expect(b.received).toMatchObject({ packets: FRAMES, corrupt: 0 });
    expect(stats.rtpReceived).toBe(FRAMES);
    expect(stats.rtpSent).toBe(FRAMES);
    expect(stats).toMatchObject(zeroDrops);
  });

  it.each([
    ['AEAD_AES_128_GCM', SrtpProfile.AEAD_AES_128_GCM],
    ['AES_CM_128_HMAC_SHA1_80', SrtpProfile.AES_CM_128_HMAC_SHA1_80],
  ])('both peers bridged (%s)', async (_name, profile) => {
    const sa = createNativeSrtpBridgeStats();
    const sb = createNativeSrtpBridgeStats();
    const { a, b, close } = await connectPeerPair({ nativeA: sa, nativeB: sb, srtpProfiles: [profile] });
    closeAll = close;
    expect(profileOf(a.dtlsTransport)).toBe(profile);

    await talk(a, b, FRAMES);
    await until('SRTCP both ways', () => sa.rtcpReceived > 0 && sb.rtcpReceived > 0);

    expect(a.received).toMatchObject({ packets: FRAMES, corrupt: 0 });
    expect(b.received).toMatchObject({ packets: FRAMES, corrupt: 0 });
    expect([sa.rtpSent, sa.rtpReceived, sb.rtpSent, sb.rtpReceived]).toEqual([FRAMES, FRAMES, FRAMES, FRAMES]);
    // Every SRTCP packet one side protected, the other unprotected (allowing for one in flight).
    await until('SRTCP counts to match', () => sa.rtcpSent === sb.rtcpReceived && sb.rtcpSent === sa.rtcpReceived, 3000);
    expect(sa).toMatchObject(zeroDrops);
    expect(sb).toMatchObject(zeroDrops);
  });

  it('drops tampered and replayed SRTP arriving on the UDP socket, counts them, and keeps the call up', async () => {
    const stats = createNativeSrtpBridgeStats();
    const { a, b, close } = await connectPeerPair({ nativeA: stats });
    closeAll = close;

    // Plain-werift B's ICE socket: hold back its 5th RTP datagram instead of sending it.
    const conn = b.dtlsTransport.iceTransport.connection;
    const send = conn.send;
    let rtpCount = 0;
    let held: Buffer | undefined;
    conn.send = (data: Buffer) => {
      if (data.length > 12 && (data[0]! & 0xc0) === 0x80 && (data[1]! & 0x7f) === 111 && ++rtpCount === 5) {
        held = Buffer.from(data);
        return Promise.resolve();
      }
      return send(data);
    };
    for (let i = 0; i < 10; i++) {
      await b.sendFrame();
      await sleep(20);
    }
    await until('9 of 10 packets', () => a.received.packets === 9);
    expect(held).toBeDefined();
    const original = held as Buffer;

    // One flipped bit of the encrypted payload: the tag check fails (RFC 3711 §3.3 step 5).
    const tampered = Buffer.from(original);
    tampered[tampered.length - 20]! ^= 0x01;
    await send(tampered);
    await until('auth failure counted', () => stats.authFailed === 1);
    // A forged header (sequence number moved ahead) fails the tag too.
    const forgedSeq = Buffer.from(original);
    forgedSeq.writeUInt16BE((original.readUInt16BE(2) + 100) & 0xffff, 2);
    await send(forgedSeq);
    await until('second auth failure counted', () => stats.authFailed === 2);
    expect(a.received.packets).toBe(9);

    // The genuine late packet is still inside the replay window and accepted...
    await send(original);
    await until('late packet accepted', () => a.received.packets === 10);
    // ...once: the same datagram again is a replay (RFC 3711 §3.3.2).
    await send(original);
    await until('replay counted', () => stats.replayed === 1);

    expect(a.received.corrupt).toBe(0);
    await talk(a, b, 10); // the call carries on both ways
    expect(a.received.packets).toBe(20);
    expect(stats.rtpReceived).toBe(20);
    expect(stats).toMatchObject({ authFailed: 2, replayed: 1, tooOld: 0, malformed: 0, otherDropped: 0 });
  });

  it('switches a call that is already running on werift SRTP (late attach)', async () => {
    const { a, b, close } = await connectPeerPair({ srtpProfiles: [SrtpProfile.AES_CM_128_HMAC_SHA1_80] });
    closeAll = close;
    await talk(a, b, 10);
    expect(a.dtlsTransport.srtpStarted).toBe(true);
    const bridge = useNativeSrtp(a.pc);
    expect(bridge.stats.transports).toBe(1);
    await talk(a, b, 20);
    expect(a.received).toMatchObject({ packets: 30, corrupt: 0 });
    expect(b.received).toMatchObject({ packets: 30, corrupt: 0 });
    expect(bridge.stats.rtpReceived).toBe(20);
    expect(bridge.stats.rtpSent).toBe(20);
    expect(bridge.stats).toMatchObject(zeroDrops);
    useNativeSrtp(a.pc); // idempotent: the transport is not wrapped twice
    expect(bridge.stats.transports).toBe(1);
  });

  it('drops packets once the transport has closed instead of throwing into werift', async () => {
    const stats: NativeSrtpBridgeStats = createNativeSrtpBridgeStats();
    const { a, b, close } = await connectPeerPair({ nativeA: stats });
    closeAll = close;
    const conn = b.dtlsTransport.iceTransport.connection;
    const send = conn.send;
    let lastRtp: Buffer | undefined;
    conn.send = (data: Buffer) => {
      if ((data[1]! & 0x7f) === 111) lastRtp = Buffer.from(data);
      return send(data);
    };
    await talk(a, b, 5);
    const t = a.dtlsTransport;
    await a.close();
    expect(t.state).toBe('closed');
    let thrown: unknown;
    try {
      t.srtp.decrypt(lastRtp as Buffer);
    } catch (e) {
      thrown = e;
    }
    // werift's receive loop drops exactly this error class and rethrows anything else.
    expect((thrown as Error).name).toBe('SrtpAuthenticationError');
    expect(stats.otherDropped).toBe(1);
    await expect(t.sendRtcp([])).rejects.toThrow(/protect failed/);
    expect(stats.sendFailed).toBe(1);
  });
});
