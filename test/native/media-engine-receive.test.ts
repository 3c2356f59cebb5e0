/**
 * MediaEngine.attachSocket / receive: the engine reads real UDP sockets itself (recvmmsg on a
 * duplicate descriptor), removes SRTP with a native session of the same thread and pushes the
 * RTP into the call's jitter buffer; whatever is not RTP comes back as a record with its source.
 */
import dgram, { type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameStatus, MediaEngine, type HandedBackDatagram } from '../../src/media/media-engine.js';
import { NativeSrtpSession, SrtpProfile } from '../../src/media/native-srtp.js';
import { UdpSocketFd } from '../../src/media/udp-socket-fd.js';
import { buildRtp } from '../support/impairment.js';
import { keyPair, seededRandom } from './srtp-fixtures.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function socketPair(): Promise<{ rx: Socket; tx: Socket; port: number }> {
  const rx = dgram.createSocket('udp4');
  const tx = dgram.createSocket('udp4');
  await new Promise<void>((r) => rx.bind(0, '127.0.0.1', r));
  await new Promise<void>((r) => tx.bind(0, '127.0.0.1', r));
  return { rx, tx, port: rx.address().port };
}

function send(tx: Socket, port: number, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => tx.send(bytes, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
}

/** One protected RTP packet: PCMU, 160 bytes of payload, seq / timestamp by frame index. */
function srtpPacket(sender: NativeSrtpSession, i: number, ssrc = 0x1234abcd): Buffer {
  const rtp = buildRtp({ sequence: (65534 + i) & 0xffff, timestamp: (i * 160) >>> 0, ssrc, payloadType: 0, marker: i === 0, payload: new Uint8Array(160).fill(0x55 + (i % 3)) });
  const buf = Buffer.alloc(rtp.length + sender.params.rtpOverhead);
  buf.set(rtp);
  const n = sender.protectRtp(buf, rtp.length);
  return buf.subarray(0, n);
}

describe('MediaEngine reading call sockets (attachSocket / receive)', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const f of cleanup.splice(0)) f();
  });

  async function setup() {
    const { a, b } = keyPair(seededRandom(7), SrtpProfile.AES_CM_128_HMAC_SHA1_80);
    const sender = new NativeSrtpSession(SrtpProfile.AES_CM_128_HMAC_SHA1_80, a);
    const receiver = new NativeSrtpSession(SrtpProfile.AES_CM_128_HMAC_SHA1_80, b);
    const { rx, tx, port } = await socketPair();
    const fd = new UdpSocketFd(rx);
    const engine = new MediaEngine({ maxCalls: 4 });
    engine.addCall(2, { payload: 'pcmu', payloadType: 0, jitterMinMs: 20 });
    const nodeSaw: Buffer[] = [];
    rx.on('message', (m) => nodeSaw.push(m));
    cleanup.push(() => {
      engine.removeCall(2);
      for (const s of [rx, tx]) {
        try {
          s.close();
        } catch {
          // closed by the test
        }
      }
      sender.close();
      receiver.close();
    });
    return { sender, receiver, rx, tx, port, fd, engine, nodeSaw };
  }

  it('takes RTP from the socket into the jitter buffer and hands every other datagram back with its source', async () => {
    const { sender, receiver, tx, port, fd, engine, nodeSaw } = await setup();
    expect(fd.setNodeReading(false)).toBe(true);
    engine.attachSocket(2, fd.current() as number, receiver.handle);

    // 20 ms apart, as a caller sends: the kernel's receive stamps keep that spacing, however late the read.
    for (let i = 0; i < 5; i++) {
      await send(tx, port, srtpPacket(sender, i));
      await sleep(20);
    }
    const stun = Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, ...new Array(12).fill(7)]);
    const rtcp = Buffer.from([0x80, 0xc8, 0x00, 0x01, 1, 2, 3, 4]);
    const dtls = Buffer.from([0x15, 0xfe, 0xfd, 0, 0]);
    for (const d of [stun, rtcp, dtls]) await send(tx, port, d);
    await sleep(30);

    const seen: HandedBackDatagram[] = [];
    const copies: Buffer[] = [];
    const now = performance.now();
    const visited = engine.receive(now, (d) => {
      seen.push({ ...d });
      copies.push(Buffer.from(d.data));
    });
    expect(visited).toBe(3);
    expect(copies).toEqual([stun, rtcp, dtls]);
    for (const d of seen) {
      expect(d).toMatchObject({ slot: 2, address: '127.0.0.1', family: 'IPv4', port: tx.address().port });
    }
    expect(engine.rxPackets[2]).toBe(5);
    expect(engine.rxBytes[2]).toBe(5 * (12 + 160 + sender.params.rtpOverhead));
    expect(nodeSaw).toHaveLength(0); // libuv did not read the socket

    const st = engine.receiveStats(2);
    expect(st).toMatchObject({ ssrc: 0x1234abcd, packets: 5, rtp: 5, handedBack: 3, authFailed: 0, malformed: 0 });
    // 65534, 65535, 0, 1, 2: one wrap (RFC 3550 A.1), five expected.
    expect(st?.extendedMaxSeq).toBe(0x10002);
    expect(st?.expected).toBe(5);

    // The packets are in the jitter buffer: they play out.
    engine.pull(now + 1000);
    expect(engine.status[2]).toBe(FrameStatus.Pcm);
    expect(engine.stats(2).received).toBe(5);
  });

  it("stamps each datagram with the kernel's receive time, not the time of the read", async () => {
    const { sender, receiver, tx, port, fd, engine } = await setup();
    fd.setNodeReading(false);
    engine.attachSocket(2, fd.current() as number, receiver.handle);
    // Two packets 300 ms apart in RTP time (2400 ticks at 8 kHz) and on the wire, read together.
    const first = buildRtp({ sequence: 1, timestamp: 0, ssrc: 9, payloadType: 0, payload: new Uint8Array(160) });
    const second = buildRtp({ sequence: 2, timestamp: 2400, ssrc: 9, payloadType: 0, payload: new Uint8Array(160) });
    for (const [i, rtp] of [first, second].entries()) {
      if (i > 0) await sleep(300);
      const buf = Buffer.alloc(rtp.length + sender.params.rtpOverhead);
      buf.set(rtp);
      await send(tx, port, buf.subarray(0, sender.protectRtp(buf, rtp.length)));
    }
    engine.receive(performance.now(), () => undefined);
    expect(engine.rxPackets[2]).toBe(2);
    // RFC 3550 A.8: J = |D| / 16 after one pair. Arrivals stamped at the read would give |D| = 300 ms, J = 150
    // ticks; the kernel's stamps give |D| = how late the 300 ms timer fired (under 150 ms, J under 75 ticks).
    expect(engine.receiveStats(2)?.jitter).toBeLessThan(75);
  });

  it('counts forged, replayed and oversized datagrams without passing them on, and survives random bytes', async () => {
    const { sender, receiver, tx, port, fd, engine } = await setup();
    fd.setNodeReading(false);
    engine.attachSocket(2, fd.current() as number, receiver.handle);
    const good = srtpPacket(sender, 0);
    const forged = Buffer.from(srtpPacket(sender, 1));
    forged[20] = (forged[20] as number) ^ 0xff;
    await send(tx, port, good);
    await send(tx, port, good); // replayed (RFC 3711 §3.3.2)
    await send(tx, port, forged);
    await send(tx, port, Buffer.concat([good, Buffer.alloc(3000)])); // longer than the engine reads
    const rng = seededRandom(11);
    let randomNonRtp = 0;
    for (let i = 0; i < 200; i++) {
      const b = Buffer.alloc(1 + Math.floor(rng() * 300));
      for (let k = 0; k < b.length; k++) b[k] = Math.floor(rng() * 256);
      const rtpLike = (b[0] as number) >= 128 && (b[0] as number) <= 191 && b.length >= 12 && (((b[1] ?? 0) & 0x7f) < 64 || ((b[1] ?? 0) & 0x7f) > 95);
      if (!rtpLike) randomNonRtp++;
      await send(tx, port, b);
    }
    await sleep(30);
    let visited = 0;
    // More than one pass: at most 64 datagrams are read per call per pass.
    for (let pass = 0; pass < 10; pass++) visited += engine.receive(performance.now(), () => undefined);
    const st = engine.receiveStats(2);
    expect(st?.rtp).toBe(1);
    expect(st?.replayed).toBe(1);
    expect(st?.truncated).toBe(1);
    expect(visited).toBe(randomNonRtp);
    expect(st?.handedBack).toBe(randomNonRtp);
    // Every RTP-looking datagram that was not the good packet failed authentication or parsing.
    const rtpDrops = (st?.authFailed ?? 0) + (st?.malformed ?? 0) + (st?.otherDropped ?? 0);
    expect(rtpDrops).toBe(1 + 200 - randomNonRtp);
  });

  it('stops reading on detach and refuses what it cannot read', async () => {
    const { sender, receiver, tx, port, fd, engine, nodeSaw } = await setup();
    const sock = fd.current() as number;
    expect(() => engine.attachSocket(1, sock, receiver.handle)).toThrow(/no active call/);
    expect(() => engine.attachSocket(2, sock, 0x7fff0000)).toThrow(/SRTP session/);
    expect(() => engine.attachSocket(2, 0, receiver.handle)).toThrow(/not a UDP socket/); // stdin
    fd.setNodeReading(false);
    engine.attachSocket(2, sock, receiver.handle);
    engine.detachSocket(2);
    expect(engine.receiveStats(2)).toBeUndefined();
    expect(fd.setNodeReading(true)).toBe(true);
    await send(tx, port, srtpPacket(sender, 0));
    await sleep(30);
    engine.receive(performance.now(), () => undefined);
    expect(engine.rxPackets[2]).toBe(0);
    expect(nodeSaw).toHaveLength(1); // Node reads the socket again
  });

  it('keeps reading after the owner closes its descriptor (the engine holds its own duplicate)', async () => {
    const { sender, receiver, rx, fd, engine } = await setup();
    fd.setNodeReading(false);
    engine.attachSocket(2, fd.current() as number, receiver.handle);
    const port = rx.address().port;
    rx.close();
    const tx2 = dgram.createSocket('udp4');
    cleanup.push(() => tx2.close());
    await send(tx2, port, srtpPacket(sender, 0));
    await sleep(30);
    engine.receive(performance.now(), () => undefined);
    expect(engine.rxPackets[2]).toBe(1);
    // A closed SRTP session authenticates nothing more.
    receiver.close();
    await send(tx2, port, srtpPacket(sender, 1));
    await sleep(30);
    engine.receive(performance.now(), () => undefined);
    expect(engine.rxPackets[2]).toBe(0);
    expect(engine.receiveStats(2)?.otherDropped).toBe(1);
  });
});
