import { describe, expect, it } from 'vitest';
import type { CallTransport } from '../../src/media/call-transport.js';
import { OpusDecoder16k, OpusEncoder16k } from '../../src/media/opus-codec.js';
import { AgentAudioQueue, MediaClock, OutboundPacer } from '../../src/media/pacer.js';
import type { LatencyMark } from '../../src/media/webrtc-call-handler.js';

class RecordingTransport implements CallTransport {
  readonly kind = 'rtp' as const;
  onPacket = undefined;
  onClose = undefined;
  readonly sent: Array<{ payload: Buffer; timestamp: number; marker: boolean }> = [];
  send(payload: Buffer, timestamp: number, marker: boolean): void {
    this.sent.push({ payload, timestamp, marker });
  }
  close(): void {}
}

const tone = (n: number): Int16Array => Int16Array.from({ length: n }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 16000)));

describe('agent audio queue and pacer', () => {
  it('cuts pushed PCM into 20 ms frames and pads the last one', () => {
    const q = new AgentAudioQueue();
    q.push(tone(700));
    expect(q.queued).toBe(3);
    expect(q.shift()?.length).toBe(320);
    expect(q.shift()?.length).toBe(320);
    const last = q.shift();
    expect(last?.slice(0, 60)).toEqual(tone(700).slice(640));
    expect(last?.slice(60).every((v) => v === 0)).toBe(true);
    expect(q.shift()).toBeUndefined();
  });

  it('keeps whole frames as written (a reply held once) and copies only parts of frames', () => {
    const q = new AgentAudioQueue();
    const whole = tone(320);
    q.push(whole);
    const part = tone(100);
    q.push(part);
    q.push(tone(220));
    expect(q.shift()).toBe(whole);
    const joined = q.shift();
    expect(joined).not.toBe(part);
    expect(joined?.slice(0, 100)).toEqual(part);
    expect(q.shift()).toBeUndefined();
  });

  it('sends one Opus frame per tick, marks talkspurts and keeps the 48 kHz RTP clock', () => {
    const t = new RecordingTransport();
    const marks: LatencyMark[] = [];
    const p = new OutboundPacer(new AgentAudioQueue(), new OpusEncoder16k(), t, (m) => marks.push(m), 100);
    let drained = 0;
    p.onDrained = () => drained++;
    p.tick(101);
    expect(t.sent).toHaveLength(0);
    p.write(tone(320 * 3));
    for (let tick = 102; tick <= 106; tick++) p.tick(tick);
    expect(t.sent).toHaveLength(3);
    expect(t.sent.map((s) => s.marker)).toEqual([true, false, false]);
    const base = t.sent[0]?.timestamp as number;
    expect(t.sent.map((s) => (s.timestamp - base) >>> 0)).toEqual([0, 960, 1920]);
    expect(drained).toBe(1);
    expect(marks).toEqual(['first_agent_packet_out']);
    // Decodes back to audio of the same level order (a real Opus stream).
    const pcm = new OpusDecoder16k().decode(t.sent[1]?.payload as Buffer);
    expect(pcm?.length).toBe(320);
    expect(Math.max(...(pcm ?? []))).toBeGreaterThan(2000);

    // Next talkspurt: positioned by the ticks elapsed (10 ticks after the first started at 102).
    p.write(tone(320 * 5));
    p.tick(112);
    expect(t.sent[3]?.marker).toBe(true);
    expect(((t.sent[3]?.timestamp as number) - base) >>> 0).toBe(10 * 960);
    // Barge-in: clear stops at once.
    expect(p.flush()).toBe(4);
    expect(marks.at(-1)).toBe('agent_audio_stopped');
    p.tick(113);
    expect(t.sent).toHaveLength(4);
  });

  it('ticks the media clock with increasing tick numbers and records lateness for every tick', async () => {
    const seen: number[] = [];
    const clock = new MediaClock((tick) => seen.push(tick));
    clock.start();
    await new Promise((r) => setTimeout(r, 150));
    clock.stop();
    expect(seen.length).toBeGreaterThan(2);
    expect(seen).toEqual(seen.map((_, i) => i + 1));
    expect(clock.takeJitter()).toHaveLength(seen.length);
    expect(clock.takeJitter()).toHaveLength(0);
    expect(clock.takeBusy()).toHaveLength(seen.length);
    expect(clock.ticks).toBe(seen.length);
  });

  it('after a stall skips the missed 20 ms slots and counts them instead of firing them back to back', async () => {
    const starts: number[] = [];
    const slots: number[] = [];
    const clock = new MediaClock((tick, now) => {
      starts.push(now);
      slots.push(tick);
      if (tick === 2) {
        // A 75 ms stall of the worker (e.g. a blocking handshake) inside tick 2.
        const until = performance.now() + 75;
        while (performance.now() < until);
      }
    });
    clock.start();
    await new Promise((r) => setTimeout(r, 160));
    clock.stop();
    expect(clock.overruns).toBeGreaterThanOrEqual(1);
    expect(clock.skipped).toBeGreaterThanOrEqual(2);
    // The tick after the stall comes a frame after it ended, not at once to catch up.
    const afterStall = (starts[2] as number) - (starts[1] as number);
    expect(afterStall).toBeGreaterThanOrEqual(75 + 15);
    expect(clock.takeBusy()[1]).toBeGreaterThanOrEqual(75);
    // The slot numbers keep real time: the skipped slots are counted in the next tick's number.
    expect((slots[2] as number) - (slots[1] as number)).toBe(1 + clock.skipped);
    expect(clock.currentSlot).toBe(clock.ticks + clock.skipped);
  });

  it('with a catch-up allowance runs the slots missed in a stall at once, in order, and skips none', async () => {
    const slots: number[] = [];
    const starts: number[] = [];
    const clock = new MediaClock(
      (slot, now) => {
        slots.push(slot);
        starts.push(now);
        if (slot === 2) {
          const until = performance.now() + 30; // 15 slots of 2 ms
          while (performance.now() < until);
        }
      },
      2,
      200,
    );
    clock.start();
    await new Promise((r) => setTimeout(r, 80));
    clock.stop();
    expect(clock.skipped).toBe(0);
    expect(slots).toEqual(slots.map((_, i) => i + 1));
    // The missed slots ran back to back right after the stall, not one per timer turn.
    const burst = starts.slice(2, 12);
    expect((burst.at(-1) as number) - (burst[0] as number)).toBeLessThan(5);
  });
});
