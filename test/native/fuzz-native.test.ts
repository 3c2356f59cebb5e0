import { describe, expect, it } from 'vitest';
import { MediaEngine } from '../../src/media/media-engine.js';
import { native } from '../../src/media/native.js';
import {
  alawDecode,
  alawEncode,
  Concealer,
  float32ToInt16,
  int16ToFloat32,
  Resampler,
  ulawDecode,
  ulawEncode,
  type SampleRate,
} from '../../src/media/native-dsp.js';
import { JitterBuffer, parseRtpHeader } from '../../src/media/native-jitter.js';
import { buildRtp, mulberry32 } from '../support/impairment.js';

const rnd = mulberry32(0xf00d);
const int = (n: number): number => Math.floor(rnd() * n);
function bytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = int(256);
  return b;
}

/** A mostly plausible RTP packet with random flags, counts and lengths, often truncated. */
function roughRtp(): Uint8Array {
  const p = buildRtp({ sequence: int(65536), timestamp: int(2 ** 32), ssrc: int(4), payloadType: int(128), marker: rnd() < 0.1, payload: bytes(int(300)) });
  p[0] = 0x80 | (rnd() < 0.2 ? 0x20 : 0) | (rnd() < 0.2 ? 0x10 : 0) | (rnd() < 0.2 ? int(16) : 0);
  if (rnd() < 0.1) p[0] = int(256);
  if (p.length > 14 && rnd() < 0.3) p[p.length - 1] = int(256);
  return rnd() < 0.3 ? p.subarray(0, int(p.length + 1)) : p;
}

/** Calls fn; it must return normally or throw an Error with a message (never crash). */
function clean(fn: () => unknown): 'ok' | 'error' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message.length).toBeGreaterThan(0);
    return 'error';
  }
}

const junk: readonly unknown[] = [undefined, null, 0, -1, 1.5, Number.NaN, Infinity, 'x', {}, [], new Float64Array(3), new Uint8Array(0), 2 ** 40];
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;

describe('fuzz: random and truncated input to every native entry point', () => {
  it('RTP parser: 2000 random and rough packets', () => {
    let ok = 0;
    for (let i = 0; i < 2000; i++) {
      const p = i % 2 === 0 ? bytes(int(80)) : roughRtp();
      if (clean(() => {
        const h = parseRtpHeader(p);
        expect(h.version).toBe(2);
        expect(h.payloadOffset + h.payloadLength).toBeLessThanOrEqual(p.length);
      }) === 'ok') ok++;
    }
    expect(ok).toBeGreaterThan(100);
  });

  it('jitter buffer: 2000 rough packets with random clocks, pulls and arguments', () => {
    const jb = new JitterBuffer({ clockRate: 8000, maxPayload: 200 });
    let t = 0;
    for (let i = 0; i < 2000; i++) {
      t += rnd() * 40 - 5;
      clean(() => jb.push(roughRtp(), t));
      clean(() => jb.pull(t + rnd() * 100));
      if (i % 50 === 0) {
        clean(() => jb.push(pick(junk) as Uint8Array, pick(junk) as number));
        clean(() => jb.pull(pick(junk) as number));
      }
    }
    const s = jb.stats();
    for (const v of Object.values(s)) expect(Number.isFinite(v)).toBe(true);
    expect(s.received + s.rejected).toBeGreaterThan(0);
  });

  it('media engine: 2000 random packed buffers, bad arrays and bad configs', () => {
    const engine = new MediaEngine({ maxCalls: 8, maxPayload: 400 });
    for (let s = 0; s < 8; s++) engine.addCall(s, { payload: pick(['opus', 'pcmu', 'pcma'] as const), maxPayload: 160 });
    const header = new DataView(new ArrayBuffer(16));
    let ingested = 0;
    for (let i = 0; i < 2000; i++) {
      // Half random bytes, half well-framed records with rough packets and random slots/lengths.
      let buf: Uint8Array;
      let count: number;
      if (i % 2 === 0) {
        buf = bytes(int(200));
        count = int(5);
      } else {
        const parts: Uint8Array[] = [];
        count = 1 + int(4);
        for (let k = 0; k < count; k++) {
          const pkt = roughRtp();
          header.setUint32(0, rnd() < 0.9 ? int(8) : int(20), true);
          header.setUint32(4, rnd() < 0.9 ? pkt.length : int(1000), true);
          header.setFloat64(8, rnd() < 0.95 ? i * 20 : Number.NaN, true);
          parts.push(new Uint8Array(header.buffer.slice(0)), pkt);
        }
        const total = parts.reduce((n, p) => n + p.length, 0);
        buf = new Uint8Array(total);
        let o = 0;
        for (const p of parts) { buf.set(p, o); o += p.length; }
        if (rnd() < 0.2) buf = buf.subarray(0, int(buf.length));
      }
      if (clean(() => engine.ingestPacked(buf, count)) === 'ok') ingested++;
      clean(() => engine.pull(i * 20));
      if (rnd() < 0.5) engine.status[int(8)] = int(256); // JS may write any status
      clean(() => engine.analyze());
    }
    expect(ingested).toBeGreaterThan(100);
    // Wrong types, short arrays and out-of-range values on the raw entry points.
    const raw = new (native as unknown as { MediaEngine: new (o: unknown) => Record<string, (...a: unknown[]) => unknown> }).MediaEngine({ maxCalls: 4 });
    const args = (): unknown[] => Array.from({ length: int(6) }, () => pick([...junk, new Uint8Array(int(10)), new Int16Array(int(2000)), new Uint16Array(3)]));
    for (let i = 0; i < 600; i++) {
      const m = pick(['addCall', 'removeCall', 'ingest', 'pull', 'analyze', 'stats', 'layout']);
      expect(clean(() => raw[m]?.(...args()))).toBeDefined();
    }
    for (let i = 0; i < 100; i++) {
      clean(() => new (native as unknown as { MediaEngine: new (o: unknown) => unknown }).MediaEngine(pick(junk)));
      clean(() => raw.addCall?.(int(6) - 1, { payload: pick(['opus', 'pcmu', 'x', 5]), clockRate: pick(junk), jitterMinMs: pick(junk), vad: pick(junk), bargeIn: { minSpeechMs: pick(junk) } }));
    }
  });

  it('DSP: random sizes, rates and argument types', () => {
    const rates: number[] = [8000, 16000, 24000, 48000, 44100, 0, -8000];
    for (let i = 0; i < 600; i++) {
      const n = int(2000);
      const pcm = new Int16Array(n);
      clean(() => ulawEncode(pcm, new Uint8Array(int(2100))));
      clean(() => alawEncode(pcm, new Uint8Array(int(2100))));
      clean(() => ulawDecode(bytes(n), new Int16Array(int(2100))));
      clean(() => alawDecode(bytes(n), new Int16Array(int(2100))));
      clean(() => int16ToFloat32(pcm, new Float32Array(int(2100))));
      clean(() => float32ToInt16(new Float32Array(n), new Int16Array(int(2100))));
      clean(() => {
        const r = new Resampler(pick(rates) as SampleRate, pick(rates) as SampleRate);
        r.process(pcm, new Int16Array(int(12000)));
      });
      clean(() => new Concealer(int(1200), int(1200), int(10)).conceal(new Int16Array(int(1200))));
      const fn = pick(['ulawEncode', 'ulawDecode', 'alawEncode', 'alawDecode', 'int16ToFloat32', 'float32ToInt16', 'frameEnergyDb', 'parseRtpHeader']);
      clean(() => (native[fn] as (...a: unknown[]) => unknown)(pick(junk), pick(junk)));
    }
  });
});
