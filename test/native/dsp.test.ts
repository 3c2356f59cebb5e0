import { describe, expect, it } from 'vitest';
import {
  alawDecode,
  alawEncode,
  Concealer,
  float32ToInt16,
  frameEnergyDb,
  int16ToFloat32,
  Resampler,
  sliceFrames,
  ulawDecode,
  ulawEncode,
  type SampleRate,
} from '../../src/media/native-dsp.js';

const RATES: readonly SampleRate[] = [8000, 16000, 24000, 48000];

function tone(freq: number, rate: number, n: number, amplitude: number): Int16Array {
  const x = new Int16Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / rate));
  return x;
}

/** SNR of y against the best-fitting sinusoid at freq (least squares on sin and cos), dB. */
function toneSnrDb(y: Int16Array, freq: number, rate: number, skip: number): number {
  let ss = 0, sc = 0, cc = 0, sy = 0, cy = 0;
  for (let i = skip; i < y.length; i++) {
    const s = Math.sin((2 * Math.PI * freq * i) / rate), c = Math.cos((2 * Math.PI * freq * i) / rate);
    const v = y[i] ?? 0;
    ss += s * s; sc += s * c; cc += c * c; sy += s * v; cy += c * v;
  }
  const det = ss * cc - sc * sc;
  const a = (sy * cc - cy * sc) / det, b = (cy * ss - sy * sc) / det;
  let ps = 0, pn = 0;
  for (let i = skip; i < y.length; i++) {
    const fit = a * Math.sin((2 * Math.PI * freq * i) / rate) + b * Math.cos((2 * Math.PI * freq * i) / rate);
    ps += fit * fit;
    pn += ((y[i] ?? 0) - fit) ** 2;
  }
  return 10 * Math.log10(ps / Math.max(pn, 1e-9));
}

function power(x: Float32Array, skip: number): number {
  let p = 0;
  for (let i = skip; i < x.length; i++) p += (x[i] ?? 0) ** 2;
  return p / Math.max(1, x.length - skip);
}

describe('G.711 (ITU-T G.711 code tables)', () => {
  // First 16 entries of the classic decode tables (e.g. Sun g711.c, SoX, Asterisk).
  const ULAW_HEAD = [-32124, -31100, -30076, -29052, -28028, -27004, -25980, -24956, -23932, -22908, -21884, -20860, -19836, -18812, -17788, -16764];
  const ALAW_HEAD = [-5504, -5248, -6016, -5760, -4480, -4224, -4992, -4736, -7552, -7296, -8064, -7808, -6528, -6272, -7040, -6784];

  it('decodes known code values', () => {
    const codes = Uint8Array.from({ length: 16 }, (_, i) => i);
    expect([...ulawDecode(codes)]).toEqual(ULAW_HEAD);
    expect([...alawDecode(codes)]).toEqual(ALAW_HEAD);
    expect([...ulawDecode(new Uint8Array([0xff, 0x7f, 0x80, 0x00]))]).toEqual([0, 0, 32124, -32124]);
    expect([...alawDecode(new Uint8Array([0xd5, 0x55, 0xaa, 0x2a]))]).toEqual([8, -8, 32256, -32256]);
  });

  it('encodes known values: silence, full scale, sign', () => {
    const pcm = new Int16Array([0, 32767, -32768, 8, -8]);
    expect([...ulawEncode(pcm)]).toEqual([0xff, 0x80, 0x00, 0xfe, 0x7e]);
    expect([...alawEncode(pcm)]).toEqual([0xd5, 0xaa, 0x2a, 0xd5, 0x55]);
  });

  it('round-trips all 256 codes (µ-law negative zero 0x7F maps to 0xFF)', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect([...alawEncode(alawDecode(all))]).toEqual([...all]);
    const u = ulawEncode(ulawDecode(all));
    for (let c = 0; c < 256; c++) expect(u[c]).toBe(c === 0x7f ? 0xff : c);
  });

  it('rejects an output buffer that is too small', () => {
    expect(() => ulawEncode(new Int16Array(10), new Uint8Array(9))).toThrow(RangeError);
    expect(() => alawDecode(new Uint8Array(10), new Int16Array(2))).toThrow(RangeError);
  });
});

describe('PCM helpers', () => {
  it('converts int16 and float32 both ways with saturation', () => {
    expect([...int16ToFloat32(new Int16Array([-32768, 0, 16384, 32767]))]).toEqual([-1, 0, 0.5, 32767 / 32768]);
    expect([...float32ToInt16(new Float32Array([-2, -1, 0.5, 1, 1.5, Number.NaN]))]).toEqual([-32768, -32768, 16384, 32767, 32767, 0]);
    const x = Int16Array.from({ length: 1000 }, (_, i) => (i * 65.537) | 0);
    expect([...float32ToInt16(int16ToFloat32(x))]).toEqual([...x]);
  });

  it('slices whole frames as views and measures energy', () => {
    const pcm = new Int16Array(1000);
    const frames = sliceFrames(pcm, 320);
    expect(frames.map((f) => f.length)).toEqual([320, 320, 320]);
    frames[1]?.fill(7);
    expect(pcm[320]).toBe(7);
    expect(frameEnergyDb(new Int16Array(320))).toBe(-120);
    expect(frameEnergyDb(tone(1000, 16000, 1600, 32767))).toBeCloseTo(-3.01, 1);
  });
});

describe('resampler', () => {
  it('keeps a 1 kHz tone at >= 60 dB SNR for every rate pair, and rejects aliases', () => {
    const rows: string[] = [];
    for (const from of RATES) {
      for (const to of RATES) {
        const r = new Resampler(from, to);
        const input = tone(1000, from, from / 2, 16000); // 0.5 s
        const out = new Int16Array(r.maxOutput(input.length));
        const y = r.process(input, out);
        expect(y.length).toBe(to / 2);
        const skip = 2 * Math.ceil(r.delaySamples) + 10; // past the filter's start-up
        const snr = toneSnrDb(y, 1000, to, skip);
        expect(snr).toBeGreaterThanOrEqual(60);
        let alias = '';
        if (to < from) {
          // A tone between the output Nyquist and the input Nyquist must vanish.
          const f = Math.min(0.6 * to, 0.45 * from);
          // Float path: the residue lies below int16 resolution.
          const r2 = new Resampler(from, to);
          const hi = Float32Array.from(tone(f, from, from / 2, 16000), (v) => v / 32768);
          const z = r2.processFloat(hi);
          const rejection = 10 * Math.log10(power(hi, 0) / Math.max(power(z, skip), 1e-30));
          expect(rejection).toBeGreaterThanOrEqual(60);
          alias = `, ${f} Hz tone rejected by ${rejection.toFixed(1)} dB`;
        }
        rows.push(`${from} -> ${to}: SNR ${snr.toFixed(1)} dB${alias}`);
      }
    }
    console.log(`resampler (1 kHz tone, 0.5 s):\n  ${rows.join('\n  ')}`);
  });

  it('streams frame by frame exactly like one block', () => {
    const input = tone(700, 8000, 1600, 12000);
    const whole = new Resampler(8000, 16000).process(input);
    const r = new Resampler(8000, 16000);
    const parts: number[] = [];
    for (const f of sliceFrames(input, 160)) parts.push(...r.process(f));
    expect(parts).toEqual([...whole]);
  });

  it('refuses unsupported rates and short outputs', () => {
    expect(() => new Resampler(44100 as SampleRate, 16000)).toThrow(RangeError);
    const r = new Resampler(8000, 48000);
    expect(() => r.process(new Int16Array(160), new Int16Array(100))).toThrow(RangeError);
  });
});

describe('concealment', () => {
  it('fades the last good frame, then carries low comfort noise', () => {
    const c = new Concealer(320, 160, 42);
    const good = tone(440, 16000, 320, 10000);
    c.noteGood(good);
    const first = c.conceal().slice();
    // Starts on the last good frame and fades to nothing within 10 ms.
    expect(Math.abs((first[0] ?? 0) - (good[0] ?? 0))).toBeLessThan(200);
    const e1 = frameEnergyDb(first.subarray(0, 80));
    const e2 = frameEnergyDb(first.subarray(80, 160));
    const tail = frameEnergyDb(first.subarray(160));
    expect(e1).toBeGreaterThan(e2);
    expect(tail).toBeLessThan(-45);
    const second = c.conceal();
    const level = frameEnergyDb(second);
    expect(level).toBeLessThan(-45);
    expect(level).toBeGreaterThan(-80); // comfort noise, not digital silence
    expect(Math.abs(level - c.comfortLevelDb)).toBeLessThan(2);
  });

  it('follows the background level of good frames', () => {
    const c = new Concealer(320, 160, 7);
    const quiet = Int16Array.from({ length: 320 }, (_, i) => Math.round(60 * Math.sin(i * 1.3))); // about -57 dBFS
    // Rises slowly toward a louder background (speech must not lift it)...
    for (let i = 0; i < 60; i++) c.noteGood(quiet);
    expect(c.comfortLevelDb).toBeCloseTo(frameEnergyDb(quiet), 0);
    c.conceal();
    expect(frameEnergyDb(c.conceal())).toBeCloseTo(frameEnergyDb(quiet), 0);
    // ...and drops at once to a quieter one.
    const quieter = Int16Array.from(quiet, (v) => Math.round(v / 4));
    c.noteGood(quieter);
    expect(c.comfortLevelDb).toBeCloseTo(frameEnergyDb(quieter), 1);
  });
});
