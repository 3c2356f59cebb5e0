/**
 * Should the lean RTP path batch SRTP unprotect across an event-loop turn? Measures, in
 * one thread with no sockets, the CPU per received RTP packet (80-byte Opus-sized payload,
 * AEAD_AES_128_GCM) of:
 *   - per packet: `NativeSrtpSession.unprotectRtp` in place, one native call per packet
 *     (what lean-rtp-path.ts does in its socket listener);
 *   - batched: copy into an `SrtpBatch`, one `srtpProcessBatch` call for B packets of
 *     different calls, then read each result (what a per-turn batch would do).
 *
 *   node --import tsx bench/webrtc-path/srtp-batch-micro.ts [--streams 40] [--rounds 400]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { NativeSrtpSession, SrtpBatch, SrtpBatchOp, SrtpProfile, dtlsSrtpKeyingMaterialLength } from '../../src/media/native-srtp.js';

const PROFILE = SrtpProfile.AEAD_AES_128_GCM;
const PAYLOAD = 80;

/** `rounds` protected packets per stream, in arrival order (round-robin over streams). */
function protectedPackets(streams: number, rounds: number): { rx: NativeSrtpSession[]; packets: Buffer[]; owner: number[] } {
  const rx: NativeSrtpSession[] = [];
  const tx: NativeSrtpSession[] = [];
  for (let s = 0; s < streams; s++) {
    const material = randomBytes(dtlsSrtpKeyingMaterialLength(PROFILE));
    tx.push(NativeSrtpSession.fromDtls(PROFILE, material, 'client'));
    rx.push(NativeSrtpSession.fromDtls(PROFILE, material, 'server'));
  }
  const packets: Buffer[] = [];
  const owner: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (let s = 0; s < streams; s++) {
      const session = tx[s] as NativeSrtpSession;
      const buf = Buffer.alloc(12 + PAYLOAD + session.params.rtpOverhead, r & 0xff);
      buf[0] = 0x80;
      buf[1] = 111;
      buf.writeUInt16BE(r & 0xffff, 2);
      buf.writeUInt32BE(r * 960, 4);
      buf.writeUInt32BE(0x1000 + s, 8);
      const n = session.protectRtp(buf, 12 + PAYLOAD);
      packets.push(buf.subarray(0, n));
      owner.push(s);
    }
  }
  for (const t of tx) t.close();
  return { rx, packets, owner };
}

function cpuUs(f: () => void): number {
  const t0 = process.cpuUsage();
  f();
  const t = process.cpuUsage(t0);
  return t.user + t.system;
}

function main(): void {
  const { values } = parseArgs({ options: { streams: { type: 'string', default: '40' }, rounds: { type: 'string', default: '400' } } });
  const streams = Number(values.streams);
  const rounds = Number(values.rounds);
  const rows: { mode: string; usPerPacket: number; ok: number }[] = [];

  {
    const { rx, packets, owner } = protectedPackets(streams, rounds);
    let ok = 0;
    const us = cpuUs(() => {
      for (let i = 0; i < packets.length; i++) {
        const p = packets[i] as Buffer;
        if ((rx[owner[i] as number] as NativeSrtpSession).unprotectRtp(p, p.length) > 0) ok++;
      }
    });
    rows.push({ mode: 'per packet (in place)', usPerPacket: us / packets.length, ok });
    for (const s of rx) s.close();
  }
  for (const size of [4, 16, 64]) {
    const { rx, packets, owner } = protectedPackets(streams, rounds);
    const batch = new SrtpBatch(size, size * 256);
    let ok = 0;
    const us = cpuUs(() => {
      for (let i = 0; i < packets.length; i += size) {
        batch.clear();
        const end = Math.min(packets.length, i + size);
        for (let k = i; k < end; k++) batch.add(rx[owner[k] as number] as NativeSrtpSession, SrtpBatchOp.unprotectRtp, packets[k] as Buffer);
        batch.run();
        for (let k = 0; k < end - i; k++) if (batch.result(k) > 0) ok++;
      }
    });
    rows.push({ mode: `batch of ${size} (copy in, one native call)`, usPerPacket: us / packets.length, ok });
    for (const s of rx) s.close();
  }
  for (const r of rows) console.log(`${r.mode.padEnd(40)} ${r.usPerPacket.toFixed(2)} µs/packet  (${r.ok} authenticated)`);
  process.stdout.write(`${JSON.stringify({ streams, rounds, rows })}\n`);
}

main();
