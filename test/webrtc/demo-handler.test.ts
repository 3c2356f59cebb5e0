import { describe, expect, it } from 'vitest';
import type { AgentAudioSink, CallContext, LatencyMark, TurnRecord } from '../../src/media/webrtc-call-handler.js';
import { DemoCallHandler } from '../../src/media/webrtc-demo-handler.js';
import { speak } from '../support/espeak.js';

class Sink implements AgentAudioSink {
  pushed: Int16Array[] = [];
  queued = 0;
  cleared = 0;
  onDrained: (() => void) | undefined;
  write(pcm: Int16Array): void {
    this.pushed.push(pcm);
    this.queued += Math.ceil(pcm.length / 320);
  }
  flush(): number {
    this.cleared++;
    const q = this.queued;
    this.queued = 0;
    return q;
  }
  pending(): number {
    return this.queued;
  }
}

function context() {
  let now = 1_000_000;
  const audio = new Sink();
  const marks: LatencyMark[] = [];
  const turns: TurnRecord[] = [];
  const transcript: string[] = [];
  const ctx: CallContext = {
    callId: 'c1',
    tenant: 'demo',
    audio,
    now: () => now,
    hangup: () => undefined,
    report: { mark: (m) => marks.push(m), turn: (t) => turns.push(t), transcript: (role, text) => transcript.push(`${role}:${text}`) },
  };
  const feed = (h: DemoCallHandler, pcm: Int16Array): void => {
    for (let i = 0; i + 320 <= pcm.length; i += 320) {
      now += 20;
      h.onCallerFrame(pcm.subarray(i, i + 320));
    }
  };
  return { ctx, audio, marks, turns, transcript, feed, advance: (ms: number) => (now += ms) };
}

const greeting = { text: 'Hello, how can I help?', pcm: new Int16Array(16000) };
const reply = { text: 'Okay, noted.', pcm: new Int16Array(8000) };

describe('demo call handler', () => {
  it('greets, records the caller turn at end of speech and replies', () => {
    const c = context();
    const h = new DemoCallHandler(c.ctx, { greeting, reply, endOfTurnSilenceMs: 400 });
    h.onConnected();
    expect(c.audio.pushed[0]).toBe(greeting.pcm);
    c.advance(1000);
    c.audio.onDrained?.();
    expect(c.turns[0]).toMatchObject({ role: 'agent', text: greeting.text });
    const speech = speak('I smell gas in the basement.', 'en-us');
    c.feed(h, new Int16Array(8000));
    c.feed(h, speech);
    c.feed(h, new Int16Array(16000));
    expect(c.marks).toEqual(['speech_start', 'speech_end', 'end_of_turn']);
    expect(c.turns[1]).toMatchObject({ role: 'caller' });
    expect((c.turns[1] as TurnRecord).endedAt).toBeGreaterThan((c.turns[1] as TurnRecord).startedAt);
    expect(c.audio.pushed[1]).toBe(reply.pcm);
    expect(c.transcript).toEqual([`agent:${greeting.text}`, expect.stringMatching(/^caller:/), `agent:${reply.text}`]);
  });

  it('stops talking when the caller barges in and records what was heard', () => {
    const c = context();
    const h = new DemoCallHandler(c.ctx, { greeting, reply, bargeInMs: 200 });
    h.onConnected();
    c.feed(h, speak('Wait, wait, hold on please.', 'en-us'));
    expect(c.audio.cleared).toBe(1);
    expect(c.marks).toContain('barge_in_detected');
    expect(c.turns[0]).toMatchObject({ role: 'agent', interrupted: true });
    expect(greeting.text.startsWith((c.turns[0] as TurnRecord).text ?? 'x')).toBe(true);
  });
});
