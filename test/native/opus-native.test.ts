import opus from '@discordjs/opus';
import { beforeAll, describe, expect, it } from 'vitest';
import { FrameStatus, MediaEngine, ResultFlag } from '../../src/media/media-engine.js';
import { speak } from '../support/espeak.js';
import { buildRtp, mulberry32 } from '../support/impairment.js';

const FRAME = 320; // 20 ms at 16 kHz
let speech: Int16Array;
let packets: Uint8Array[];

beforeAll(() => {
  const s = speak('The water heater in the basement is leaking and the pilot light went out.', 'en', 16000);
  speech = s.subarray(0, s.length - (s.length % FRAME));
  const enc = new opus.OpusEncoder(16000, 1);
  enc.setBitrate(24000);
  packets = Array.from({ length: speech.length / FRAME }, (_, i) =>
    new Uint8Array(enc.encode(Buffer.from(speech.buffer, speech.byteOffset + i * FRAME * 2, FRAME * 2))));
});

/** One packet per tick, on time: slot → RTP bytes of its i-th packet (or undefined for none). */
function run(
  engine: MediaEngine,
  slots: number,
  packetAt: (slot: number, i: number) => Uint8Array | undefined,
  ticks: number,
  onTick: (i: number) => void,
  afterAnalyze?: (i: number) => void,
): void {
  for (let i = 0; i < ticks; i++) {
    const now = 1000 + i * 20;
    for (let s = 0; s < slots; s++) {
      const p = packetAt(s, i);
      if (p) engine.enqueuePacket(s, now - 1, p);
    }
    engine.ingest();
    engine.pull(now);
    onTick(i);
    engine.analyze();
    afterAnalyze?.(i);
  }
}

describe('native Opus decoding in the MediaEngine (libopus in the addon)', () => {
  it('decodes to 16 kHz inside pull: the same audio as @discordjs/opus, no Opus status left for JS', () => {
    const engine = new MediaEngine({ maxCalls: 2 });
    expect(engine.opusVersion).toMatch(/^libopus 1\./);
    engine.addCall(0, { payload: 'opus', decodeOpus: true });
    engine.addCall(1, { payload: 'opus' }); // decoded by JS, the path the addon replaces
    const jsDecoder = new opus.OpusEncoder(16000, 1);
    const rtp = packets.map((payload, i) => buildRtp({ sequence: i, timestamp: i * 960, ssrc: 7, payloadType: 111, payload }));
    const nativeOut: Int16Array[] = [];
    const jsOut: Int16Array[] = [];
    run(engine, 2, (_, i) => rtp[i], packets.length + 10, () => {
      if (engine.status[0] === FrameStatus.Pcm) nativeOut.push(engine.pcmFrame(0).slice());
      expect(engine.status[0]).not.toBe(FrameStatus.Opus);
      if (engine.status[1] === FrameStatus.Opus) {
        const d = jsDecoder.decode(Buffer.from(engine.opusPayload(1)));
        const pcm = new Int16Array(d.buffer, d.byteOffset, FRAME);
        engine.pcmFrame(1).set(pcm);
        jsOut.push(pcm.slice());
      }
    });
    expect(nativeOut.length).toBe(packets.length);
    expect(jsOut.length).toBe(packets.length);
    // Two builds of libopus (system 1.3.1 vs @discordjs/opus's own): equal within rounding.
    let sig = 0;
    let err = 0;
    for (let f = 0; f < nativeOut.length; f++) {
      const a = nativeOut[f] as Int16Array;
      const b = jsOut[f] as Int16Array;
      for (let i = 0; i < FRAME; i++) {
        sig += (b[i] as number) ** 2;
        err += ((a[i] as number) - (b[i] as number)) ** 2;
      }
    }
    expect(sig).toBeGreaterThan(0);
    expect(10 * Math.log10(sig / Math.max(err, 1))).toBeGreaterThan(40);
    // And it is the speech: decoded energy follows the source's.
    let srcEnergy = 0;
    for (let i = 0; i < speech.length; i++) srcEnergy += (speech[i] as number) ** 2;
    expect(sig / srcEnergy).toBeGreaterThan(0.5);
    expect(sig / srcEnergy).toBeLessThan(2);
    expect(engine.stats(0).opusDecodeErrors).toBe(0);
  });

  it('conceals a packet libopus refuses and counts it; a good packet after it decodes again', () => {
    const engine = new MediaEngine({ maxCalls: 1 });
    engine.addCall(0, { payload: 'opus', decodeOpus: true });
    // A TOC byte of code 3 (RFC 6716 §3.2.5) with a frame count of 0 is invalid; an empty payload too.
    const bad = new Map<number, Uint8Array>([[20, Uint8Array.of(0x03, 0x00)], [21, new Uint8Array(0)]]);
    const statuses: number[] = [];
    const concealed: boolean[] = [];
    run(
      engine,
      1,
      (_, i) => buildRtp({ sequence: i, timestamp: i * 960, ssrc: 9, payloadType: 111, payload: bad.get(i) ?? (packets[i] as Uint8Array) }),
      40,
      () => statuses.push(engine.status[0] ?? -1),
      () => concealed.push((engine.flags(0) & ResultFlag.Concealed) !== 0),
    );
    expect(engine.stats(0).opusDecodeErrors).toBe(2);
    const lost = statuses.flatMap((s, i) => (s === FrameStatus.Lost ? [i] : []));
    expect(lost.length).toBe(2);
    for (const i of lost) expect(concealed[i]).toBe(true);
    expect(statuses).not.toContain(FrameStatus.Opus);
    expect(statuses.lastIndexOf(FrameStatus.Pcm)).toBeGreaterThan(lost[1] as number);
  });

  it('fuzz: 3000 random payloads and a refused config never crash, every slot ends Pcm, Lost or None', () => {
    const rnd = mulberry32(0x0b05);
    const engine = new MediaEngine({ maxCalls: 8 });
    for (let s = 0; s < 8; s++) engine.addCall(s, { payload: 'opus', decodeOpus: true, jitterMaxMs: 100 });
    expect(() => engine.addCall(0, { payload: 'opus', decodeOpus: 'yes' as unknown as boolean })).toThrow(/decodeOpus must be a boolean/);
    engine.addCall(0, { payload: 'opus', decodeOpus: true });
    let seq = 0;
    run(
      engine,
      8,
      (s, i) => {
        const n = Math.floor(rnd() * (rnd() < 0.1 ? 1400 : 120));
        const payload = new Uint8Array(n);
        for (let k = 0; k < n; k++) payload[k] = Math.floor(rnd() * 256);
        // Now and then a real packet, so the decoder state sees both.
        const p = rnd() < 0.2 ? (packets[i % packets.length] as Uint8Array) : payload;
        return buildRtp({ sequence: (seq++ + s) & 0xffff, timestamp: i * 960, ssrc: 100 + s, payloadType: 111, payload: p });
      },
      375,
      () => {
        for (let s = 0; s < 8; s++) expect([FrameStatus.None, FrameStatus.Pcm, FrameStatus.Lost]).toContain(engine.status[s]);
      },
    );
    let errors = 0;
    for (let s = 0; s < 8; s++) {
      const st = engine.stats(s);
      errors += st.opusDecodeErrors;
      for (const v of Object.values(st)) expect(Number.isFinite(v)).toBe(true);
    }
    expect(errors).toBeGreaterThan(100);
  });
});
