/**
 * The floor for an established media path that bypasses werift after DTLS: per stream
 * one connected UDP socket on 127.0.0.1, an RTP header written into the packet buffer
 * (RFC 3550 §5.1), native SRTP protect/unprotect in place, nothing else. No ICE consent,
 * no RTCP, no jitter buffer: what Node's dgram plus the native SRTP cost per packet,
 * to compare with werift's path in the same process and load (bench only).
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { NativeSrtpSession, SrtpProfile, dtlsSrtpKeyingMaterialLength, type DtlsRole } from '../../src/media/native-srtp.js';

const PT = 111;

class LeanEndpoint {
  readonly socket: Socket = createSocket('udp4');
  readonly srtp: NativeSrtpSession;
  received = 0;
  #seq = 1;
  #ts = 0;
  readonly #ssrc: number;
  readonly #overhead: number;

  constructor(material: Uint8Array, role: DtlsRole, ssrc: number) {
    this.srtp = NativeSrtpSession.fromDtls(SrtpProfile.AEAD_AES_128_GCM, material, role);
    this.#overhead = this.srtp.params.rtpOverhead;
    this.#ssrc = ssrc;
    this.socket.on('message', (msg: Buffer) => {
      if (this.srtp.unprotectRtp(msg, msg.length) >= 12) this.received++;
    });
  }

  /** One packet: a fresh buffer per datagram, because dgram sends asynchronously. */
  send(payload: Buffer): void {
    const length = 12 + payload.length;
    const buf = Buffer.allocUnsafe(length + this.#overhead);
    buf[0] = 0x80;
    buf[1] = PT;
    buf.writeUInt16BE(this.#seq, 2);
    buf.writeUInt32BE(this.#ts, 4);
    buf.writeUInt32BE(this.#ssrc, 8);
    payload.copy(buf, 12);
    this.#seq = (this.#seq + 1) & 0xffff;
    this.#ts = (this.#ts + 960) >>> 0;
    if (this.srtp.protectRtp(buf, length) > 0) this.socket.send(buf);
  }

  close(): void {
    this.socket.close();
    this.srtp.close();
  }
}

function bind(s: Socket): Promise<number> {
  return new Promise((resolve) => s.bind(0, '127.0.0.1', () => resolve(s.address().port)));
}

function connect(s: Socket, port: number): Promise<void> {
  return new Promise((resolve) => s.connect(port, '127.0.0.1', resolve));
}

export interface LeanPair {
  a: LeanEndpoint;
  b: LeanEndpoint;
}

/** Two endpoints sharing random DTLS-SRTP-sized keying material, as client and server. */
export async function connectLeanPair(index: number): Promise<LeanPair> {
  const material = randomBytes(dtlsSrtpKeyingMaterialLength(SrtpProfile.AEAD_AES_128_GCM));
  const a = new LeanEndpoint(material, 'client', 0x1000 + 2 * index);
  const b = new LeanEndpoint(material, 'server', 0x1001 + 2 * index);
  const [pa, pb] = await Promise.all([bind(a.socket), bind(b.socket)]);
  await Promise.all([connect(a.socket, pb), connect(b.socket, pa)]);
  return { a, b };
}
