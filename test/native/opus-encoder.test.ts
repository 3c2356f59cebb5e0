import { beforeAll, describe, expect, it } from 'vitest';
import { native } from '../../src/media/native.js';
import { hasNativeOpusEncoder, LazyAgentEncoder, NativeOpusEncoder16k } from '../../src/media/native-opus-encoder.js';
import { AGENT_VOICE_OPUS, OpusDecoder16k, OpusEncoder16k } from '../../src/media/opus-codec.js';
import { mulberry32 } from '../support/impairment.js';
import { speak } from '../support/espeak.js';

const FRAME = 320;
let frames: Int16Array[];

beforeAll(() => {
  const s = speak('Your technician will arrive between eight and ten tomorrow morning.', 'en', 16000);
  frames = Array.from({ length: Math.floor(s.length / FRAME) }, (_, i) => s.slice(i * FRAME, (i + 1) * FRAME));
});

describe('native Opus encoder for the agent voice (libopus in the addon)', () => {
  it('makes the same packets as OpusEncoder16k (@discordjs/opus) with the same format name; in CELT mode the same audio', () => {
    expect(hasNativeOpusEncoder()).toBe(true);
    for (const opts of [{ complexity: 1 }, { complexity: 5 }, { complexity: 0, bitrate: 16_000 }]) {
      const a = new OpusEncoder16k(opts);
      const b = new NativeOpusEncoder16k(opts);
      expect(b.format).toBe(a.format);
      let same = 0;
      for (const f of frames) if (Buffer.compare(a.encode(f), b.encode(f)) === 0) same++;
      expect(same).toBe(frames.length);
    }
    // CELT's float analysis differs between the two libopus builds (Debian's, @discordjs/opus' own) in a few
    // frames' bit allocation: same format and TOC, and decoded audio that is the same within a fraction of a dB.
    const a = new OpusEncoder16k(AGENT_VOICE_OPUS);
    const b = new NativeOpusEncoder16k(AGENT_VOICE_OPUS);
    expect(b.format).toBe(a.format);
    const da = new OpusDecoder16k();
    const db = new OpusDecoder16k();
    let sig = 0;
    let err = 0;
    for (const f of frames) {
      const pa = a.encode(f);
      const pb = b.encode(f);
      expect(pb[0]).toBe(pa[0]);
      const xa = da.decode(Buffer.from(pa))!;
      const xb = db.decode(Buffer.from(pb))!;
      for (let i = 0; i < xa.length; i++) {
        sig += xa[i]! * xa[i]!;
        err += (xa[i]! - xb[i]!) ** 2;
      }
    }
    expect(10 * Math.log10(sig / Math.max(err, 1))).toBeGreaterThan(20);
  });

  it('in CELT-only mode makes CELT packets (RFC 6716 §3.1 TOC configs 16–31) that decode to the speech', () => {
    const enc = new NativeOpusEncoder16k(AGENT_VOICE_OPUS);
    expect(AGENT_VOICE_OPUS.mode).toBe('celt');
    expect(enc.format).toContain('mode=celt');
    const dec = new OpusDecoder16k();
    let sig = 0;
    for (const f of frames) {
      const p = enc.encode(f);
      expect(p[0]! >> 3).toBeGreaterThanOrEqual(16);
      for (const v of dec.decode(Buffer.from(p)) ?? []) sig += v * v;
    }
    expect(Math.sqrt(sig / (frames.length * FRAME))).toBeGreaterThan(300);
    // The voice mode picks SILK for the same speech.
    const silk = new NativeOpusEncoder16k({ complexity: 1 });
    expect(frames.slice(10, 40).some((f) => silk.encode(f)[0]! >> 3 < 12)).toBe(true);
  });

  it('returns a view of one reused buffer, valid until the next encode, that decodes to the speech', () => {
    const enc = new NativeOpusEncoder16k(AGENT_VOICE_OPUS);
    const dec = new OpusDecoder16k();
    const p1 = enc.encode(frames[10] as Int16Array);
    const kept = Buffer.from(p1);
    const p2 = enc.encode(frames[11] as Int16Array);
    expect(p2.buffer).toBe(p1.buffer);
    expect(kept.length).toBeGreaterThan(2);
    let energy = 0;
    for (const f of frames.slice(12, 40)) {
      const pcm = dec.decode(Buffer.from(enc.encode(f))) as Int16Array;
      expect(pcm.length).toBe(FRAME);
      for (const v of pcm) energy += v * v;
    }
    expect(energy).toBeGreaterThan(0);
  });

  it('frees its state at close (a later encode throws), and a lazy encoder makes one only for a frame it must encode', () => {
    const enc = new NativeOpusEncoder16k(AGENT_VOICE_OPUS);
    expect(enc.encode(frames[5] as Int16Array).length).toBeGreaterThan(2);
    enc.close();
    enc.close();
    expect(() => enc.encode(frames[5] as Int16Array)).toThrow(/closed/);
    let made = 0;
    const lazy = new LazyAgentEncoder(new NativeOpusEncoder16k(AGENT_VOICE_OPUS).format, () => {
      made++;
      return new NativeOpusEncoder16k(AGENT_VOICE_OPUS);
    });
    expect(lazy.made).toBe(false);
    lazy.close();
    expect(made).toBe(0);
    expect(lazy.encode(frames[6] as Int16Array).length).toBeGreaterThan(2);
    expect(lazy.encodeInto(frames[7] as Int16Array, new Uint8Array(640))).toBeGreaterThan(2);
    expect(made).toBe(1);
    lazy.close();
    expect(lazy.made).toBe(false);
  });

  it('garbage in: bad options, frame lengths, types and a too-small output give errors, never a crash', () => {
    const Ctor = (native as { OpusFrameEncoder: new (o?: unknown) => { encode(pcm: unknown, out: unknown): number } }).OpusFrameEncoder;
    expect(() => new Ctor({ complexity: 11 })).toThrow(RangeError);
    expect(() => new Ctor({ complexity: 1.5 })).toThrow(/integers/);
    expect(() => new Ctor({ bitrate: 100 })).toThrow(RangeError);
    expect(() => new Ctor('x')).toThrow(TypeError);
    expect(() => new Ctor({ celtOnly: 'yes' })).toThrow(/celtOnly must be a boolean/);
    expect(() => new NativeOpusEncoder16k({ complexity: -1 })).toThrow(RangeError);
    const e = new Ctor({ complexity: 1 });
    const rnd = mulberry32(0x0e0c);
    const junk: unknown[] = [undefined, null, 1, 'x', {}, [], new Float32Array(320), new Uint8Array(640), new Int16Array(0), new Int16Array(319), new Int16Array(321)];
    let errors = 0;
    for (let i = 0; i < 300; i++) {
      const pcm = i % 3 === 0 ? junk[Math.floor(rnd() * junk.length)] : new Int16Array(320).map(() => Math.floor(rnd() * 65536) - 32768);
      const out = i % 5 === 0 ? junk[Math.floor(rnd() * junk.length)] : new Uint8Array(Math.floor(rnd() * 1400));
      try {
        const n = e.encode(pcm, out);
        expect(n).toBeGreaterThan(0);
        expect(n).toBeLessThanOrEqual((out as Uint8Array).length);
      } catch (err) {
        expect(err).toBeInstanceOf(Error);
        expect((err as Error).message.length).toBeGreaterThan(0);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(50);
    expect(() => new NativeOpusEncoder16k().encode(new Int16Array(100))).toThrow(/320 samples/);
  });
});
