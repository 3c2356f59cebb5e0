/**
 * The lean RTP path on the gateway's real WebRtcTransport: a real werift caller (its own
 * RTP stack and SRTP) talks to the transport over UDP; after ICE and DTLS, the gateway's
 * RTP must bypass werift both ways while STUN consent, DTLS and RTCP still reach werift.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RTCPeerConnection, RTCRtpCodecParameters, RtcpRrPacket, RtcpSrPacket, RtpHeader, RtpPacket, type RTCRtpTransceiver } from 'werift';
import * as nativeSrtp from '../../src/media/werift-native-srtp.js';
import type { MediaPacket } from '../../src/media/call-transport.js';
import { WebRtcTransport } from '../../src/media/webrtc-transport.js';
import type { WebRtcSettings } from '../../src/media/webrtc-settings.js';

const OPUS_PT = 111;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Deterministic payload for (direction, seq): every received byte can be checked. */
function payload(dir: number, seq: number): Buffer {
  const b = Buffer.allocUnsafe(80);
  b.writeUInt16BE(seq & 0xffff, 0);
  b[2] = dir;
  for (let i = 3; i < b.length; i++) b[i] = (seq * 31 + i * 7 + dir) & 0xff;
  return b;
}

const settings: WebRtcSettings = {
  iceServers: [],
  announcedIp: undefined,
  icePortRange: undefined,
  workers: 1,
  rtpTimeoutMs: 3000,
  maxCallsPerWorker: 1,
  srtp: 'native',
  jitterEngine: 'off',
  rtpPath: 'lean',
};

interface Call {
  gw: WebRtcTransport;
  client: RTCPeerConnection;
  clientTx: RTCRtpTransceiver;
  /** packets the gateway handed up */
  gwIn: MediaPacket[];
  /** RTP the client's werift track received */
  clientIn: RtpPacket[];
  /** RTCP sender reports the client received */
  clientSr: RtcpSrPacket[];
  /** RTCP receiver reports the client received */
  clientRr: RtcpRrPacket[];
  sendFromClient(seq: number): Promise<void>;
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** The gateway's transport answers a werift caller's offer, candidates trickled both ways. */
async function placeCall(s: WebRtcSettings = settings): Promise<Call> {
  const client = new RTCPeerConnection({
    codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2, payloadType: OPUS_PT })], video: [] },
    iceServers: [],
    iceUseIpv6: false,
    bundlePolicy: 'max-bundle',
  });
  const clientTx = client.addTransceiver('audio', { direction: 'sendrecv' });
  const gwCandidates: Parameters<RTCPeerConnection['addIceCandidate']>[0][] = [];
  let clientReady = false;
  const gw = new WebRtcTransport(
    s,
    (c) => {
      if (clientReady) void client.addIceCandidate(c).catch(() => undefined);
      else gwCandidates.push(c);
    },
    nativeSrtp,
  );
  const call: Call = {
    gw,
    client,
    clientTx,
    gwIn: [],
    clientIn: [],
    clientSr: [],
    clientRr: [],
    sendFromClient: (seq) =>
      clientTx.sender.sendRtp(new RtpPacket(new RtpHeader({ payloadType: OPUS_PT, sequenceNumber: seq, timestamp: seq * 960, marker: false }), payload(1, seq))),
  };
  cleanup = async () => {
    gw.close('test_end');
    await client.close();
  };
  gw.onPacket = (p) => call.gwIn.push({ ...p, payload: Buffer.from(p.payload) });
  const connected = new Promise<void>((resolve) => (gw.onConnected = resolve));
  clientTx.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => call.clientIn.push(rtp)));
  clientTx.receiver.onRtcp.subscribe((p) => {
    if (p instanceof RtcpSrPacket) call.clientSr.push(p);
  });
  client.dtlsTransports[0]?.onRtcp.subscribe((p) => {
    if (p instanceof RtcpRrPacket) call.clientRr.push(p);
  });
  client.onIceCandidate.subscribe((c) => {
    if (c) void gw.addCandidate(c.toJSON()).catch(() => undefined);
  });
  const offer = await client.createOffer();
  await client.setLocalDescription(offer);
  const answer = await gw.answer(client.localDescription?.sdp ?? offer.sdp);
  await client.setRemoteDescription({ type: 'answer', sdp: answer });
  clientReady = true;
  for (const c of gwCandidates.splice(0)) await client.addIceCandidate(c);
  await Promise.race([connected, sleep(15_000).then(() => Promise.reject(new Error('gateway transport not connected')))]);
  return call;
}

type Conn = { nominated?: { consentRequestsSent: number; responsesReceived: number }; send: (d: Buffer) => Promise<void> };
const connOf = (pc: RTCPeerConnection) => (pc.dtlsTransports[0] as NonNullable<(typeof pc.dtlsTransports)[0]>).iceTransport.connection as unknown as Conn;

describe('lean RTP path on the gateway transport', () => {
  it('carries every RTP packet both ways outside werift, with werift sender reports describing it', async () => {
    const call = await placeCall();
    const { gw } = call;
    expect(gw.rtpPath).toBe('lean');
    expect(gw.srtp).toBe('native');
    const lean = gw.leanStats;
    const bridge = gw.srtpBridge?.stats;
    expect(lean?.switched).toBe(1);

    // Caller → gateway: 50 frames through the caller's werift sender.
    for (let seq = 100; seq < 150; seq++) {
      await call.sendFromClient(seq);
      await sleep(10);
    }
    await until('50 packets at the gateway', () => call.gwIn.length >= 50);
    expect(call.gwIn.map((p) => p.sequenceNumber)).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i));
    for (const p of call.gwIn) {
      expect(p.payload.equals(payload(1, p.sequenceNumber))).toBe(true);
      expect(p.payloadType).toBe(OPUS_PT);
      expect(p.timestamp).toBe(p.sequenceNumber * 960);
      expect(p.ssrc).toBe(call.clientTx.sender.ssrc);
    }

    // Gateway → caller: 50 frames through transport.send.
    for (let i = 0; i < 50; i++) {
      gw.send(payload(2, i), 5000 + i * 960, i === 0);
      await sleep(10);
    }
    await until('50 packets at the caller', () => call.clientIn.length >= 50);
    const seqs = call.clientIn.map((r) => r.header.sequenceNumber);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(((seqs[i - 1] as number) + 1) & 0xffff);
    call.clientIn.forEach((r, i) => {
      expect(r.payload.equals(payload(2, i))).toBe(true);
      expect(r.header.timestamp).toBe(5000 + i * 960);
      expect(r.header.marker).toBe(i === 0);
      expect(r.header.payloadType).toBe(OPUS_PT);
    });
    const gwSsrc = call.clientIn[0]?.header.ssrc;

    // Every RTP packet took the lean path; werift's RTP stack (and its SRTP, native or not) saw none.
    expect(lean).toMatchObject({ rtpIn: 50, rtpOut: 50, rtpOutNative: 50, authFailed: 0, replayed: 0, malformed: 0, sendFailed: 0, sendBlocked: 0, refused: 0 });
    expect(bridge).toMatchObject({ rtpReceived: 0, rtpSent: 0 });

    // werift still runs RTCP: its sender reports count what the lean path sent (RFC 3550 §6.4.1).
    await until('a sender report with the lean packets', () => call.clientSr.some((sr) => sr.ssrc === gwSsrc && sr.senderInfo.packetCount === 50), 5000);
    const sr = call.clientSr.find((x) => x.senderInfo.packetCount === 50) as RtcpSrPacket;
    expect(sr.senderInfo.octetCount).toBe(50 * 80);
    const ntpSeconds = Number(sr.senderInfo.ntpTimestamp >> 32n) - 2_208_988_800;
    expect(Math.abs(ntpSeconds - Date.now() / 1000)).toBeLessThan(10);
    // werift's receiver reports carry a block for the caller's stream, from the lean path's statistics (RFC 3550 §6.4.2).
    const callerSsrc = call.clientTx.sender.ssrc;
    const blockFor = () => call.clientRr.flatMap((rr) => rr.reports).find((b) => b.ssrc === callerSsrc && b.highestSequence === 149);
    await until('a receiver report on the caller stream', () => blockFor() !== undefined, 5000);
    expect(blockFor()).toMatchObject({ packetsLost: 0 });
    // ...and the caller's RTCP reached werift through the lean demultiplexer.
    await until('caller RTCP at werift', () => (bridge?.rtcpReceived ?? 0) > 0 && (lean?.rtcpIn ?? 0) > 0, 5000);
    expect(bridge?.rtcpReceived).toBe(lean?.rtcpIn);
  });

  it('drops a tampered, a forged and a replayed SRTP packet, counts them, and the call carries on', async () => {
    const call = await placeCall();
    const lean = call.gw.leanStats;
    const conn = connOf(call.client);
    const send = conn.send;
    let rtp = 0;
    let held: Buffer | undefined;
    conn.send = (d: Buffer) => {
      if (d.length > 12 && ((d[0] as number) & 0xc0) === 0x80 && ((d[1] as number) & 0x7f) === OPUS_PT && ++rtp === 5) {
        held = Buffer.from(d);
        return Promise.resolve();
      }
      return send(d);
    };
    for (let seq = 1; seq <= 10; seq++) await call.sendFromClient(seq);
    await until('9 of 10 packets', () => call.gwIn.length === 9);
    const original = held as Buffer;
    expect(original).toBeDefined();

    const tampered = Buffer.from(original);
    tampered[tampered.length - 20]! ^= 0x01; // RFC 3711 §3.3 step 5: the tag check fails
    await send(tampered);
    const forged = Buffer.from(original);
    forged.writeUInt16BE((original.readUInt16BE(2) + 100) & 0xffff, 2);
    await send(forged);
    await until('two auth failures', () => lean?.authFailed === 2);
    expect(call.gwIn).toHaveLength(9);

    await send(original); // late but inside the replay window: accepted once
    await until('late packet', () => call.gwIn.length === 10);
    await send(original); // again: a replay (RFC 3711 §3.3.2)
    await until('replay counted', () => lean?.replayed === 1);
    expect(call.gwIn.map((p) => p.sequenceNumber).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // The call's drop counters (reported with its record) include the lean path's.
    expect(call.gw.srtpBridge?.stats).toMatchObject({ authFailed: 2, replayed: 1 });

    for (let seq = 11; seq <= 20; seq++) await call.sendFromClient(seq);
    await until('call carries on', () => call.gwIn.length === 20);
    expect(lean).toMatchObject({ rtpIn: 20, authFailed: 2, replayed: 1, tooOld: 0, malformed: 0 });
  });

  it('leaves ICE consent freshness (RFC 7675) to werift: STUN requests and responses still pass both ways', async () => {
    const call = await placeCall();
    const { gw } = call;
    expect(gw.rtpPath).toBe('lean');
    // WebRtcTransport keeps its werift peer connection private; the test reads werift's own consent counters.
    const gwPc = (gw as unknown as { pc: RTCPeerConnection }).pc;
    const gwPair = connOf(gwPc).nominated as NonNullable<Conn['nominated']>;
    const clientPair = connOf(call.client).nominated as NonNullable<Conn['nominated']>;
    const gwSent0 = gwPair.consentRequestsSent;
    const gwAnswered0 = gwPair.responsesReceived;
    const clientAnswered0 = clientPair.responsesReceived;
    const stun0 = gw.leanStats?.stunIn ?? 0;
    // werift sends a consent check every 4–6 s (CONSENT_INTERVAL 5 s ± 20%), while media flows.
    let seq = 0;
    const talk = setInterval(() => {
      void call.sendFromClient(++seq);
      gw.send(payload(2, seq), seq * 960, false);
    }, 20);
    try {
      await until(
        'a consent round each way',
        () => gwPair.consentRequestsSent > gwSent0 && gwPair.responsesReceived > gwAnswered0 && clientPair.responsesReceived > clientAnswered0,
        12_000,
      );
    } finally {
      clearInterval(talk);
    }
    // The gateway's consent response and the caller's consent request both crossed the lean demultiplexer.
    expect((gw.leanStats?.stunIn ?? 0) - stun0).toBeGreaterThanOrEqual(2);
    expect(call.client.connectionState).toBe('connected');
    expect(gw.leanStats).toMatchObject({ sendBlocked: 0, authFailed: 0 });
    await until('media both ways during consent', () => call.gwIn.length >= seq - 5 && call.clientIn.length >= seq - 5, 3000);
    expect(gw.leanStats?.rtpIn).toBe(call.gwIn.length);
    expect(gw.leanStats?.rtpOut).toBe(seq);
  });

  it('survives a packet consumer that throws: counted, the socket keeps delivering', async () => {
    const call = await placeCall();
    const deliver = call.gw.onPacket;
    call.gw.onPacket = (p) => {
      if (p.sequenceNumber === 3) throw new Error('consumer failed');
      deliver?.(p);
    };
    for (let seq = 1; seq <= 6; seq++) await call.sendFromClient(seq);
    await until('the other five packets', () => call.gwIn.length === 5);
    expect(call.gwIn.map((p) => p.sequenceNumber)).toEqual([1, 2, 4, 5, 6]);
    expect(call.gw.leanStats).toMatchObject({ rtpIn: 6, handlerErrors: 1 });
  });

  it('RTP_PATH=werift keeps werift RTP stack (native SRTP bridge) and the lean path stays off', async () => {
    const call = await placeCall({ ...settings, rtpPath: 'werift' });
    expect(call.gw.rtpPath).toBe('werift');
    expect(call.gw.leanStats).toBeUndefined();
    for (let seq = 1; seq <= 5; seq++) await call.sendFromClient(seq);
    call.gw.send(payload(2, 0), 0, true);
    await until('packets both ways', () => call.gwIn.length === 5 && call.clientIn.length === 1);
    expect(call.gw.srtpBridge?.stats).toMatchObject({ rtpReceived: 5, rtpSent: 1 });
  });
});
