/**
 * A DTLS server that answers the gateway's first ClientHello late (a stalled caller) makes
 * werift's client retransmit it and receive two HelloVerifyRequests (RFC 6347 §4.2.1). Two
 * real werift peers; the caller (DTLS server) holds what it receives for a while.
 */
import { describe, expect, it } from 'vitest';
import { DtlsClient, RTCDtlsTransport, RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { tolerateRepeatedHelloVerify } from '../../src/media/werift-dtls-hello-verify.js';

interface HandshakeHandler {
  onHandleHandshakes: (hs: unknown[]) => Promise<void>;
}

const opts = () => ({
  codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: 111 })], video: [] },
  headerExtensions: { audio: [], video: [] },
  iceUseIpv6: false,
  iceServers: [],
});

async function connect(serverDelayMs: number, tolerate: boolean): Promise<string> {
  const caller = new RTCPeerConnection(opts());
  const gw = new RTCPeerConnection(opts());
  caller.addTransceiver('audio', { direction: 'sendrecv' });
  const gt = gw.addTransceiver('audio', { direction: 'sendrecv' });
  const proto = RTCDtlsTransport.prototype as unknown as { start: (this: RTCDtlsTransport) => unknown };
  const orig = proto.start;
  // The caller's DTLS server handles what it receives in its first serverDelayMs only after that.
  proto.start = function (this: RTCDtlsTransport) {
    const started = orig.call(this);
    const server = this.dtls as unknown;
    if (!(server instanceof DtlsClient) && server) {
      const s = server as HandshakeHandler;
      const handle = s.onHandleHandshakes.bind(s);
      const held: unknown[][] = [];
      let open = false;
      setTimeout(() => {
        open = true;
        for (const hs of held) handle(hs).catch(() => undefined);
      }, serverDelayMs);
      s.onHandleHandshakes = (hs) => {
        if (open) return handle(hs);
        held.push(hs);
        return Promise.resolve();
      };
    }
    return started;
  };
  try {
    caller.onIceCandidate.subscribe((c) => void (c && gw.addIceCandidate(c.toJSON()).catch(() => undefined)));
    gw.onIceCandidate.subscribe((c) => void (c && caller.addIceCandidate(c.toJSON()).catch(() => undefined)));
    await caller.setLocalDescription(await caller.createOffer());
    await gw.setRemoteDescription(caller.localDescription!);
    await gw.setLocalDescription(await gw.createAnswer());
    if (tolerate) tolerateRepeatedHelloVerify(gt.sender.dtlsTransport);
    await caller.setRemoteDescription(gw.localDescription!);
    return await new Promise<string>((resolve) => {
      const t = setTimeout(() => resolve('timeout'), 8000);
      gw.connectionStateChange.subscribe((st) => {
        if (st === 'connected' || st === 'failed') {
          clearTimeout(t);
          resolve(st);
        }
      });
    });
  } finally {
    proto.start = orig;
    await caller.close();
    await gw.close();
  }
}

describe('werift DTLS client and a late first HelloVerifyRequest (RFC 6347 §4.2.1)', () => {
  it('fails as shipped once the first answer comes after the 500 ms retransmission', async () => {
    expect(await connect(700, false)).toBe('failed');
  });

  it('connects with the repeated HelloVerifyRequest ignored, on time and late', async () => {
    expect(await connect(0, true)).toBe('connected');
    expect(await connect(700, true)).toBe('connected');
    expect(await connect(1700, true)).toBe('connected');
  });
});
