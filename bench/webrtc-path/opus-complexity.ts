/**
 * Opus encoder cost and quality against mode, bitrate and complexity, for the agent's voice
 * (16 kHz mono; the shipped setting is CELT only at 32 kbit/s, complexity 0: src/media/opus-codec.ts): CPU µs per 20 ms frame
 * and the decoded signal's SNR against the input (best alignment over the codec delay),
 * on espeak-ng speech in EN and FR. `node --import tsx bench/webrtc-path/opus-complexity.ts`
 */
import opus from '@discordjs/opus';
import { writeFileSync } from 'node:fs';
import { speak } from '../../test/support/espeak.js';

const FRAME = 320;
const OPUS_SET_COMPLEXITY = 4010;
const OPUS_SET_SIGNAL = 4024;
const OPUS_SIGNAL_VOICE = 3001;
const OPUS_SET_INBAND_FEC = 4012;
const OPUS_SET_FORCE_MODE = 11002;
const MODE_CELT_ONLY = 1002;

const texts: Array<[string, 'en' | 'fr']> = [
  ['Thanks for calling Acme Plumbing and Heating. This is the after hours line, how can I help you tonight?', 'en'],
  ['I can book a technician for tomorrow morning between eight and ten. Does that work for you?', 'en'],
  ['Merci de votre appel. Un technicien peut passer demain matin entre huit heures et dix heures.', 'fr'],
];
const speech = texts.map(([t, v]) => speak(t, v, 16000));
const pcm = new Int16Array(speech.reduce((n, s) => n + s.length - (s.length % FRAME), 0));
let o = 0;
for (const s of speech) {
  const n = s.length - (s.length % FRAME);
  pcm.set(s.subarray(0, n), o);
  o += n;
}
const frames = pcm.length / FRAME;

function snrDb(ref: Int16Array, out: Int16Array): { snr: number; delay: number } {
  let best = { snr: -Infinity, delay: 0 };
  for (let d = 0; d <= 400; d++) {
    let sig = 0;
    let err = 0;
    for (let i = 0; i + d < out.length && i < ref.length; i++) {
      const r = ref[i] as number;
      const e = (out[i + d] as number) - r;
      sig += r * r;
      err += e * e;
    }
    const snr = 10 * Math.log10(sig / Math.max(err, 1));
    if (snr > best.snr) best = { snr, delay: d };
  }
  return best;
}

const rows: Array<{ mode: string; kbps: number; complexity: number; usPerFrame: number; snrDb: number; bytesPerFrame: number }> = [];
const configs: Array<[string, number, number]> = [
  ['auto (SILK)', 24, 0],
  ['auto (SILK)', 24, 1],
  ['auto (SILK)', 24, 2],
  ['auto (SILK)', 24, 3],
  ['auto (SILK)', 24, 5],
  ['auto (SILK)', 32, 1],
  ['CELT only', 24, 0],
  ['CELT only', 24, 1],
  ['CELT only', 24, 3],
  ['CELT only', 32, 0],
  ['CELT only', 32, 1],
];
for (const [mode, kbps, complexity] of configs) {
  const enc = new opus.OpusEncoder(16000, 1);
  enc.setBitrate(kbps * 1000);
  enc.applyEncoderCTL(OPUS_SET_COMPLEXITY, complexity);
  enc.applyEncoderCTL(OPUS_SET_SIGNAL, OPUS_SIGNAL_VOICE);
  enc.applyEncoderCTL(OPUS_SET_INBAND_FEC, mode === 'CELT only' ? 0 : 1);
  if (mode === 'CELT only') enc.applyEncoderCTL(OPUS_SET_FORCE_MODE, MODE_CELT_ONLY);
  const dec = new opus.OpusEncoder(16000, 1);
  const packets: Buffer[] = [];
  // Warm up, then time 3 passes.
  for (let f = 0; f < frames; f++) enc.encode(Buffer.from(pcm.buffer, pcm.byteOffset + f * FRAME * 2, FRAME * 2));
  const c0 = process.cpuUsage();
  for (let pass = 0; pass < 3; pass++) {
    for (let f = 0; f < frames; f++) {
      const p = enc.encode(Buffer.from(pcm.buffer, pcm.byteOffset + f * FRAME * 2, FRAME * 2));
      if (pass === 2) packets.push(p);
    }
  }
  const c = process.cpuUsage(c0);
  const out = new Int16Array(frames * FRAME);
  packets.forEach((p, f) => {
    const d = dec.decode(p);
    out.set(new Int16Array(d.buffer, d.byteOffset, FRAME), f * FRAME);
  });
  const bytes = packets.reduce((n, p) => n + p.length, 0) / packets.length;
  rows.push({ mode, kbps, complexity, usPerFrame: (c.user + c.system) / (3 * frames), snrDb: snrDb(pcm, out).snr, bytesPerFrame: bytes });
}
console.table(rows.map((r) => ({ ...r, usPerFrame: +r.usPerFrame.toFixed(1), snrDb: +r.snrDb.toFixed(2), bytesPerFrame: +r.bytesPerFrame.toFixed(1) })));
const outFile = process.argv[2];
if (outFile) writeFileSync(outFile, JSON.stringify({ frames, at: new Date().toISOString(), rows }, null, 2));
