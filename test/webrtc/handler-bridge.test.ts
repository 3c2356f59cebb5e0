import { describe, expect, it } from 'vitest';
import type { CallTransport } from '../../src/media/call-transport.js';
import { AgentRingReader, AgentRingWriter } from '../../src/media/agent-frame-ring.js';
import { CallerRingWriter, drainCallerRing } from '../../src/media/caller-frame-ring.js';
import { AGENT_SLOTS, BridgeSlotViews, CALLER_SLOTS, I_CALLER_DROPPED, bridgeBuffer } from '../../src/media/handler-bridge-memory.js';
import { OpusDecoder16k, OpusEncoder16k } from '../../src/media/opus-codec.js';
import { AgentAudioQueue, OutboundPacer } from '../../src/media/pacer.js';
import { RingAudioSink } from '../../src/media/ring-audio-sink.js';
import type { LatencyMark, VoiceActivity } from '../../src/media/webrtc-call-handler.js';

const frame = (v: number): Int16Array => new Int16Array(320).fill(v);
const tone = (n: number, hz = 440): Int16Array => Int16Array.from({ length: n }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 16000)));

function slot(): BridgeSlotViews {
  return new BridgeSlotViews(bridgeBuffer(2), 1);
}

class RecordingTransport implements CallTransport {
  readonly kind = 'rtp' as const;
  onPacket = undefined;
  onClose = undefined;
  readonly sent: Array<{ payload: Buffer; marker: boolean }> = [];
  send(payload: Buffer, _ts: number, marker: boolean): void {
    this.sent.push({ payload: Buffer.from(payload), marker });
  }
  close(): void {}
}

describe('caller frame ring (media worker → handler thread)', () => {
  it('hands over a tick’s frames only once published, in order, each with its voice-activity events', () => {
    const v = slot();
    const w = new CallerRingWriter(v);
    const got: Array<number | string> = [];
    const consumer = {
      onCallerFrame: (f: Int16Array) => got.push(f[0]!),
      onVoiceActivity: (ev: VoiceActivity) => got.push(`${ev.kind}@${ev.at}`),
    };
    w.frame(frame(1));
    w.frame(frame(2));
    w.activity({ kind: 'onset', at: 1000.5 });
    w.activity({ kind: 'barge_in', at: 1000.5 });
    expect(drainCallerRing(v, consumer)).toBe(0);
    expect(w.publish()).toBe(true);
    expect(w.publish()).toBe(false);
    // One barge-in verdict delivered.
    expect(drainCallerRing(v, consumer)).toBe(1);
    expect(got).toEqual([1, 2, 'onset@1000.5', 'barge_in@1000.5']);
    // A later frame's flags start clear.
    w.frame(frame(3));
    w.publish();
    drainCallerRing(v, consumer);
    expect(got.slice(4)).toEqual([3]);
  });

  it('drops and counts frames when the handler thread leaves the ring full, then resumes', () => {
    const v = slot();
    const w = new CallerRingWriter(v);
    for (let i = 0; i < CALLER_SLOTS + 5; i++) w.frame(frame(i));
    w.publish();
    expect(v.index[I_CALLER_DROPPED]).toBe(5);
    const got: number[] = [];
    expect(drainCallerRing(v, { onCallerFrame: (f) => got.push(f[0]!) })).toBe(0);
    expect(got).toHaveLength(CALLER_SLOTS);
    expect(got[0]).toBe(0);
    expect(got.at(-1)).toBe(CALLER_SLOTS - 1);
    w.frame(frame(99));
    w.publish();
    drainCallerRing(v, { onCallerFrame: (f) => got.push(f[0]!) });
    expect(got.at(-1)).toBe(99);
  });
});

describe('agent frame ring (handler thread → pacer)', () => {
  it('carries each frame with its encoded packet, and keeps a cached packet as it is', () => {
    const v = slot();
    const w = new AgentRingWriter(v);
    const r = new AgentRingReader(v);
    const enc = new OpusEncoder16k();
    const encode = (pcm: Int16Array, out: Uint8Array): number => enc.encodeInto(pcm, out);
    w.push(tone(320), undefined, encode);
    w.push(frame(5), Uint8Array.of(9, 8, 7), encode);
    expect(w.queued()).toBe(2);
    const a = r.shift();
    expect(a).toEqual(tone(320));
    expect(r.lastPacket!.length).toBeGreaterThan(3);
    expect(new OpusDecoder16k().decode(Buffer.from(r.lastPacket!))?.length).toBe(320);
    expect(r.shift()).toEqual(frame(5));
    expect([...r.lastPacket!]).toEqual([9, 8, 7]);
    expect(r.shift()).toBeUndefined();
    expect(r.lastPacket).toBeUndefined();
    expect(w.queued()).toBe(0);
  });

  it('refuses a frame that is not 20 ms', () => {
    const w = new AgentRingWriter(slot());
    expect(() => w.push(new Int16Array(100), undefined, () => 1)).toThrow(/320 samples/);
  });

  it('flushes: the writer counts what was dropped unsent, the reader skips it once at its next tick', () => {
    const v = slot();
    const w = new AgentRingWriter(v);
    const r = new AgentRingReader(v);
    for (let i = 1; i <= 10; i++) w.push(frame(i), Uint8Array.of(i), () => 0);
    r.shift();
    r.shift();
    expect(w.flush()).toBe(8);
    expect(w.queued()).toBe(0);
    // Resumed at once: new frames after the flush are the ones played.
    w.push(frame(42), Uint8Array.of(42), () => 0);
    expect(w.queued()).toBe(1);
    expect(r.takeFlush()).toBe(true);
    expect(r.takeFlush()).toBe(false);
    expect(r.shift()?.[0]).toBe(42);
    expect(r.shift()).toBeUndefined();
  });

  it('holds the audio from the tick after a barge-in verdict until the handler thread flushes or releases it', () => {
    const v = slot();
    const w = new AgentRingWriter(v);
    const r = new AgentRingReader(v);
    for (let i = 1; i <= 10; i++) w.push(frame(i), Uint8Array.of(i), () => 0);
    expect(r.takeFlush()).toBe(false);
    expect(r.shift()?.[0]).toBe(1);
    r.hold();
    // The hold shows as one stop, and nothing is sent while it lasts; the frames stay queued.
    expect(r.takeFlush()).toBe(true);
    expect(r.shift()).toBeUndefined();
    expect(r.takeFlush()).toBe(false);
    expect(w.queued()).toBe(9);
    // Nothing to interrupt: released, the reply goes on where it stopped.
    w.release();
    expect(r.takeFlush()).toBe(false);
    expect(r.shift()?.[0]).toBe(2);
    // Interrupted: the handler flushes and releases; the held frames are never sent.
    r.hold();
    r.takeFlush();
    expect(w.flush()).toBe(8);
    w.release();
    expect(r.takeFlush()).toBe(true);
    expect(r.shift()).toBeUndefined();
  });

  it('lets the audio go on after a second of hold with no answer from the handler thread', () => {
    const v = slot();
    const w = new AgentRingWriter(v);
    const r = new AgentRingReader(v);
    for (let i = 1; i <= 60; i++) w.push(frame(i), Uint8Array.of(i), () => 0);
    r.hold();
    let silent = 0;
    for (let t = 0; t < 60; t++) {
      r.takeFlush();
      if (r.shift() === undefined) silent++;
    }
    expect(silent).toBe(50);
  });

  it('has room for 1.28 s and frees a slot per frame sent', () => {
    const v = slot();
    const w = new AgentRingWriter(v);
    const r = new AgentRingReader(v);
    for (let i = 0; i < AGENT_SLOTS; i++) w.push(frame(i), Uint8Array.of(1), () => 0);
    expect(w.space()).toBe(0);
    r.shift();
    expect(w.space()).toBe(1);
  });
});

describe('ring audio sink and pacer across the bridge', () => {
  it('sends a long reply at one frame per tick, marks the talkspurt, drains once, and stops after a flush', () => {
    const v = slot();
    const sink = new RingAudioSink(new AgentRingWriter(v), new OpusEncoder16k());
    const t = new RecordingTransport();
    const marks: LatencyMark[] = [];
    const pacer = new OutboundPacer(new AgentAudioQueue(), new OpusEncoder16k(), t, (m) => marks.push(m), 0);
    pacer.useSource(new AgentRingReader(v));
    let drained = 0;
    sink.onDrained = () => drained++;
    // 100 frames and a half: more than the ring holds.
    sink.write(tone(320 * 100 + 160));
    expect(sink.pending()).toBe(101);
    for (let tick = 1; tick <= 101; tick++) {
      pacer.tick(tick);
      sink.topUp();
    }
    expect(t.sent).toHaveLength(101);
    expect(t.sent.filter((p) => p.marker)).toHaveLength(1);
    expect(drained).toBe(1);
    expect(pacer.encodedFrames).toBe(0);
    // Decoded, the reply is the tone (the handler thread's encoder made the packets).
    const dec = new OpusDecoder16k();
    const out = t.sent.slice(0, 50).map((p) => dec.decode(p.payload)!);
    const rms = Math.sqrt(out.slice(10).reduce((s, f) => s + f.reduce((a, x) => a + x * x, 0), 0) / (40 * 320));
    expect(rms).toBeGreaterThan(3000);

    // A second reply, flushed mid-way: the next tick sends nothing and says the agent stopped.
    sink.write(tone(320 * 80));
    pacer.tick(200);
    pacer.tick(201);
    const dropped = sink.flush();
    expect(dropped).toBe(78);
    expect(sink.pending()).toBe(0);
    const before = t.sent.length;
    pacer.tick(202);
    expect(t.sent.length).toBe(before);
    expect(marks.filter((m) => m === 'agent_audio_stopped')).toHaveLength(1);
  });

  it('after close writes nothing more into its slot (another call may have it) and frees its encoder', () => {
    const v = slot();
    let closed = 0;
    const enc = new OpusEncoder16k();
    const sink = new RingAudioSink(new AgentRingWriter(v), { format: enc.format, encode: (f) => enc.encode(f), encodeInto: (f, o) => enc.encodeInto(f, o), close: () => void closed++ });
    const r = new AgentRingReader(v);
    sink.write(tone(640));
    sink.close();
    expect(closed).toBe(1);
    expect(sink.pending()).toBe(0);
    expect(sink.flush()).toBe(0);
    // The slot's next call starts its own reader and writer on the same memory: the old sink adds nothing.
    const before = v.index.slice();
    sink.write(tone(640));
    sink.topUp();
    expect([...v.index]).toEqual([...before]);
    expect(r.shift()).toBeDefined();
  });

  it('holds a partial frame back while more audio may follow, and sends it padded at the end', () => {
    const v = slot();
    const sink = new RingAudioSink(new AgentRingWriter(v), new OpusEncoder16k());
    const r = new AgentRingReader(v);
    sink.write(tone(480));
    expect(sink.pending()).toBe(2);
    // The half frame is not cut off: the next write completes it.
    sink.write(tone(160));
    expect(sink.pending()).toBe(2);
    expect(r.shift()).toBeDefined();
    sink.topUp();
    expect(r.shift()).toBeDefined();
    sink.write(tone(100));
    sink.topUp();
    const last = r.shift();
    expect(last?.slice(100).every((x) => x === 0)).toBe(true);
    expect(r.shift()).toBeUndefined();
  });
});
