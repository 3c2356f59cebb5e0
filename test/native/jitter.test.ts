import { describe, expect, it } from 'vitest';
import { JitterBuffer, parseRtpHeader, type JitterConfig, type PullStatus } from '../../src/media/native-jitter.js';
import { buildRtp, frameIndexOf, impairedStream, type ArrivingPacket } from '../support/impairment.js';

interface Played {
  status: Exclude<PullStatus, 'none'>;
  seq: number;
  index: number; // frame index carried by the payload (-1 when lost)
  atMs: number;
  mediaMs: number;
}

/** Runs a 20 ms playout clock over arrivals: push what has arrived, then pull once. */
function run(jb: JitterBuffer, arrivals: readonly ArrivingPacket[], fromMs: number, toMs: number, tickOffsetMs = 7): Played[] {
  const played: Played[] = [];
  let next = 0;
  for (let t = fromMs + tickOffsetMs; t <= toMs; t += 20) {
    while (next < arrivals.length && (arrivals[next]?.arrivalMs ?? Infinity) <= t) {
      const a = arrivals[next++];
      if (a) jb.push(a.bytes, a.arrivalMs);
    }
    const f = jb.pull(t);
    if (f.status === 'none') continue;
    played.push({
      status: f.status,
      seq: f.seq,
      index: f.status === 'frame' ? frameIndexOf(f.payload) : -1,
      atMs: t,
      mediaMs: f.mediaMs,
    });
  }
  // After the stream ends the buffer conceals a few frames (it cannot know the stream ended).
  while (played.length > 0 && played[played.length - 1]?.status === 'lost') played.pop();
  return played;
}

function expectIncreasing(values: readonly number[]): void {
  for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1] ?? -Infinity);
}

const cfg: JitterConfig = { clockRate: 48000, frameMs: 20, minDelayMs: 20, maxDelayMs: 200, maxPayload: 200 };

describe('RTP header parsing (RFC 3550 §5.1)', () => {
  it('reads every field and locates the payload past CSRCs and extension', () => {
    const p = new Uint8Array([
      0xb2, 0xe0, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, // V=2 P X CC=2, M, PT=96
      0, 0, 0, 1, 0, 0, 0, 2, // two CSRCs
      0xbe, 0xde, 0x00, 0x01, 0x10, 0xff, 0x00, 0x00, // extension of one word
      0xaa, 0xbb, 0xcc, 0x00, 0x00, 0x03, // payload of 3 bytes + 3 bytes padding
    ]);
    expect(parseRtpHeader(p)).toEqual({
      version: 2, padding: true, extension: true, csrcCount: 2, marker: true, payloadType: 96,
      sequence: 0x1234, timestamp: 0xdeadbeef, ssrc: 0x01020304, payloadOffset: 28, payloadLength: 3,
    });
  });

  it('rejects short, wrong-version, overflowing and badly padded packets', () => {
    const ok = buildRtp({ sequence: 1, timestamp: 2, ssrc: 3, payload: new Uint8Array(4) });
    expect(() => parseRtpHeader(ok.subarray(0, 11))).toThrow(/shorter/);
    const v1 = ok.slice();
    v1[0] = 0x40;
    expect(() => parseRtpHeader(v1)).toThrow(/version/);
    const cc = ok.slice();
    cc[0] = 0x8f; // 15 CSRCs in a 16-byte packet
    expect(() => parseRtpHeader(cc)).toThrow(/CSRC/);
    const ext = ok.slice();
    ext[0] = 0x90;
    ext[14] = 0xff; // extension length 0xff00 words
    expect(() => parseRtpHeader(ext)).toThrow(/extension/);
    const pad0 = ok.slice();
    pad0[0] = 0xa0;
    pad0[15] = 0; // padding count 0
    expect(() => parseRtpHeader(pad0)).toThrow(/padding/);
    const padBig = ok.slice();
    padBig[0] = 0xa0;
    padBig[15] = 5; // more padding than payload
    expect(() => parseRtpHeader(padBig)).toThrow(/padding/);
  });
});

describe('jitter buffer', () => {
  it('plays a clean stream in order with no loss, at the minimum delay', () => {
    const s = impairedStream({ seed: 1, packets: 200 });
    const jb = new JitterBuffer(cfg);
    const played = run(jb, s.arrivals, 1000, 1000 + 200 * 20 + 400);
    expect(played.map((p) => p.index)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    const st = jb.stats();
    expect(st).toMatchObject({ received: 200, lost: 0, late: 0, duplicate: 0, reordered: 0 });
    expect(st.jitterMs).toBeLessThan(0.5);
    expect(st.targetDelayMs).toBe(20);
    expect(st.currentDelayMs).toBeGreaterThanOrEqual(20);
    expect(st.currentDelayMs).toBeLessThan(41);
  });

  it('reports every missing frame as lost, in order (10% loss)', () => {
    const s = impairedStream({ seed: 2, packets: 500, loss: 0.1 });
    const jb = new JitterBuffer(cfg);
    const played = run(jb, s.arrivals, 1000, 1000 + 500 * 20 + 400);
    const last = Math.max(...s.arrivals.map((a) => a.index));
    const first = Math.min(...s.arrivals.map((a) => a.index));
    // Every frame between the first and last received is played or reported lost, once, in order.
    expect(played.length).toBe(last - first + 1);
    expectIncreasing(played.map((p) => p.seq));
    for (const p of played) {
      if (p.status === 'frame') expect(s.lostIndices.has(p.index)).toBe(false);
    }
    const lostReported = played.filter((p) => p.status === 'lost').length;
    const lostExpected = [...s.lostIndices].filter((i) => i > first && i < last).length;
    expect(lostReported).toBe(lostExpected);
    expect(jb.stats().lost).toBe(lostExpected);
    expect(lostExpected).toBeGreaterThan(30);
  });

  it('reorders, drops duplicates and adapts its delay under 60 ms jitter', () => {
    const s = impairedStream({ seed: 3, packets: 1500, jitterMs: 60, reorder: 0.1, duplicate: 0.05 });
    const jb = new JitterBuffer(cfg);
    const played = run(jb, s.arrivals, 1000, 1000 + 1500 * 20 + 600);
    expectIncreasing(played.map((p) => p.seq));
    const frames = played.filter((p) => p.status === 'frame');
    expectIncreasing(frames.map((p) => p.index));
    const st = jb.stats();
    const dups = s.arrivals.filter((a) => a.duplicate).length;
    expect(st.received).toBe(s.arrivals.length);
    expect(st.reordered).toBeGreaterThan(50);
    // A duplicate is dropped either while its original is held, or as late once played.
    expect(st.duplicate).toBeGreaterThan(0);
    expect(st.duplicate + st.late).toBeGreaterThanOrEqual(dups);
    expect(st.jitterMs).toBeGreaterThan(8);
    expect(st.targetDelayMs).toBeGreaterThan(40);
    expect(st.targetDelayMs).toBeLessThanOrEqual(200);
    // Once adapted (after the first 5 s), nearly every frame plays.
    const adapted = frames.filter((p) => p.index >= 250).length;
    console.log(`jitter 60 ms: J=${st.jitterMs.toFixed(1)} ms target=${st.targetDelayMs.toFixed(0)} ms ` +
      `played ${frames.length}/1500 (${adapted}/1250 after 5 s) late=${st.late} lost=${st.lost} discarded=${st.discarded}`);
    expect(adapted).toBeGreaterThan(1250 * 0.97);
  });

  it('lowers its delay again, gradually, once the jitter subsides', () => {
    const rough = impairedStream({ seed: 9, packets: 500, jitterMs: 80, firstSequence: 100, firstTimestamp: 5000 });
    const calm = impairedStream({ seed: 10, packets: 1000, firstSequence: 600, firstTimestamp: 5000 + 500 * 960, startMs: 1000 + 500 * 20 });
    const jb = new JitterBuffer(cfg);
    const played = run(jb, rough.arrivals.filter((a) => a.arrivalMs < 1000 + 500 * 20 + 30), 1000, 1000 + 500 * 20);
    const high = jb.stats();
    expect(high.targetDelayMs).toBeGreaterThan(60);
    played.push(...run(jb, calm.arrivals, 1000 + 500 * 20, 1000 + 1500 * 20 + 400, 7));
    const low = jb.stats();
    console.log(`delay under 80 ms jitter: target ${high.targetDelayMs.toFixed(0)} ms, current ${high.currentDelayMs.toFixed(0)} ms; ` +
      `20 s later without jitter: target ${low.targetDelayMs.toFixed(0)} ms, current ${low.currentDelayMs.toFixed(0)} ms, discarded ${low.discarded}`);
    expect(low.targetDelayMs).toBe(20);
    expect(low.currentDelayMs).toBeLessThan(45);
    expectIncreasing(played.map((p) => p.seq));
    // Cutting the delay costs a few skipped frames, spread out (one per second at most).
    expect(low.discarded).toBeLessThan(12);
  });

  it('keeps order across the 16-bit sequence wraparound', () => {
    const s = impairedStream({ seed: 4, packets: 300, firstSequence: 65400, jitterMs: 10, reorder: 0.05 });
    const jb = new JitterBuffer({ ...cfg, minDelayMs: 60 });
    const played = run(jb, s.arrivals, 1000, 1000 + 300 * 20 + 400);
    const frames = played.filter((p) => p.status === 'frame');
    expect(frames.map((p) => p.index)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expectIncreasing(played.map((p) => p.seq));
    expect(played[played.length - 1]?.seq).toBeGreaterThan(65535); // extended past the wrap
  });

  it('keeps a continuous media clock across the 32-bit timestamp wraparound', () => {
    const s = impairedStream({ seed: 5, packets: 200, firstTimestamp: 2 ** 32 - 48000, jitterMs: 5 });
    const jb = new JitterBuffer({ ...cfg, minDelayMs: 40 });
    const played = run(jb, s.arrivals, 1000, 1000 + 200 * 20 + 400);
    expect(played.filter((p) => p.status === 'frame').length).toBe(200);
    for (let i = 1; i < played.length; i++) {
      expect((played[i]?.mediaMs ?? 0) - (played[i - 1]?.mediaMs ?? 0)).toBeCloseTo(20, 6);
    }
    expect(jb.stats().lost).toBe(0);
  });

  it('switches to a new SSRC at once without stalling', () => {
    const a = impairedStream({ seed: 6, packets: 100, ssrc: 111 });
    const b = impairedStream({ seed: 7, packets: 100, ssrc: 222, startMs: 1000 + 100 * 20 });
    const jb = new JitterBuffer(cfg);
    const played = run(jb, [...a.arrivals, ...b.arrivals], 1000, 1000 + 200 * 20 + 400);
    const frames = played.filter((p) => p.status === 'frame');
    expect(frames.length).toBe(200);
    expect(jb.stats()).toMatchObject({ ssrcChanges: 1, lost: 0 });
    const firstB = b.arrivals[0]?.arrivalMs ?? 0;
    const firstBPlayed = played[100]?.atMs ?? Infinity;
    expect(firstBPlayed - firstB).toBeLessThanOrEqual(60);
  });

  it('resumes after a silent gap (DTX) without reporting the gap as lost', () => {
    // Talkspurt 1: frames 0-49; 2 s of silence (sender sends nothing, RTP time advances);
    // talkspurt 2 starts with the marker bit and the next sequence number.
    const jb = new JitterBuffer(cfg);
    const arrivals: ArrivingPacket[] = [];
    for (let i = 0; i < 100; i++) {
      const gap = i >= 50 ? 2000 : 0;
      const sendMs = 1000 + i * 20 + gap;
      const payload = new Uint8Array(8);
      new DataView(payload.buffer).setUint32(0, i);
      const bytes = buildRtp({ sequence: 500 + i, timestamp: 9000 + (i * 20 + gap) * 48, ssrc: 9, marker: i === 50, payload });
      arrivals.push({ index: i, sequence: 500 + i, timestamp: 0, sendMs, arrivalMs: sendMs + 25, bytes, duplicate: false });
    }
    const played = run(jb, arrivals, 1000, 1000 + 100 * 20 + 2000 + 400);
    // A few frames of concealment may follow the end of talkspurt 1, but no loss is counted.
    const frames = played.filter((p) => p.status === 'frame');
    expect(frames.map((p) => p.index)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(played.length - frames.length).toBeLessThanOrEqual(5);
    expect(jb.stats().lost).toBe(0);
    const resumed = frames[50];
    expect((resumed?.atMs ?? 0) - (arrivals[50]?.arrivalMs ?? 0)).toBeLessThanOrEqual(40);
  });

  it('does not stall on a timestamp jump that does not match real time', () => {
    const jb = new JitterBuffer(cfg);
    const arrivals: ArrivingPacket[] = [];
    for (let i = 0; i < 100; i++) {
      const ts = i < 50 ? 1000 + i * 960 : 3_000_000_000 + (i - 50) * 960; // jumps by ~17 h of RTP time
      const payload = new Uint8Array(8);
      new DataView(payload.buffer).setUint32(0, i);
      const bytes = buildRtp({ sequence: 7 + i, timestamp: ts, ssrc: 5, marker: i === 50, payload });
      arrivals.push({ index: i, sequence: 7 + i, timestamp: ts, sendMs: 0, arrivalMs: 1000 + i * 20 + 25, bytes, duplicate: false });
    }
    const played = run(jb, arrivals, 1000, 1000 + 100 * 20 + 400);
    expect(played.map((p) => p.index)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(jb.stats().lost).toBe(0);
  });

  it('drops a packet that arrives after its playout time and reports its frame lost', () => {
    const s = impairedStream({ seed: 8, packets: 100 });
    const held = s.arrivals.find((a) => a.index === 40);
    if (!held) throw new Error('frame 40 missing');
    held.arrivalMs += 400; // far beyond the playout delay
    s.arrivals.sort((x, y) => x.arrivalMs - y.arrivalMs);
    const jb = new JitterBuffer(cfg);
    const played = run(jb, s.arrivals, 1000, 1000 + 100 * 20 + 600);
    expect(played[40]).toMatchObject({ status: 'lost' });
    expect(jb.stats()).toMatchObject({ late: 1, lost: 1 });
    expect(played.filter((p) => p.status === 'frame').length).toBe(99);
  });

  it('accepts a large sequence jump only when the next packet confirms it (RFC 3550 §A.1)', () => {
    const jb = new JitterBuffer(cfg);
    const pkt = (seq: number, ts: number) => buildRtp({ sequence: seq, timestamp: ts, ssrc: 1, payload: new Uint8Array(4) });
    expect(jb.push(pkt(100, 0), 0)).toBe('accepted');
    expect(jb.push(pkt(30000, 960), 20)).toBe('rejected'); // stray
    expect(jb.push(pkt(101, 960), 20)).toBe('accepted');
    expect(jb.push(pkt(40000, 1920), 40)).toBe('rejected');
    expect(jb.push(pkt(40001, 2880), 60)).toBe('accepted'); // confirmed: restart
    expect(jb.stats()).toMatchObject({ resyncs: 1, rejected: 2 });
  });

  it('validates its configuration', () => {
    expect(() => new JitterBuffer({ minDelayMs: 300, maxDelayMs: 100 })).toThrow(RangeError);
    expect(() => new JitterBuffer({ frameMs: 0 })).toThrow(RangeError);
    expect(() => new JitterBuffer({ clockRate: 12 })).toThrow(RangeError);
  });
});
