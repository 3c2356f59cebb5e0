/**
 * TTS backpressure: a reply reads its speech stream no faster than its lead of unheard audio
 * (pipeline setting `ttsLeadMs`), so a long reply synthesized faster than real time stays in
 * the provider's stream, and memory does not grow with the reply's length.
 */
import { describe, expect, it } from 'vitest';
import { Playout } from '../../src/pipeline/playout.js';
import { ReplyJob } from '../../src/pipeline/reply-job.js';
import type { PipelineMetric } from '../../src/pipeline/metrics.js';
import type { Responder, ResponderChunk } from '../../src/pipeline/types.js';
import type { TtsProvider, TtsRequest } from '../../src/providers/tts/types.js';
import { HeldSink } from './held-sink.js';

/** A provider that has the whole sentence at once (faster than real time): 40 chunks of 100 ms at 16 kHz. */
class InstantTts implements TtsProvider {
  readonly id = 'instant';
  readonly sampleRate = 16_000;
  readonly languages = ['en', 'fr'] as const;
  pulled = 0;
  voiceFor(): string {
    return 'x';
  }
  async *synthesize(req: TtsRequest): AsyncIterable<Int16Array> {
    for (let i = 0; i < 40 && !req.signal?.aborted; i++) {
      this.pulled++;
      yield new Int16Array(1600).fill(1000);
    }
  }
  async close(): Promise<void> {}
}

const responder: Responder = {
  greeting: () => ({ text: 'Hello.', language: 'en' }),
  async *respond(): AsyncIterable<ResponderChunk> {
    yield { type: 'final', text: 'Here is everything you need to know about your furnace maintenance plan.', language: 'en', endCall: false, transferTo: null };
  },
  commitHeard: () => undefined,
};

describe('ReplyJob with a TTS stream faster than real time', () => {
  it('reads the stream only as the caller hears it, and reports synthesis time without the waits', async () => {
    const sink = new HeldSink();
    const tts = new InstantTts();
    const metrics: PipelineMetric[] = [];
    const playout = new Playout(sink, () => performance.now(), () => undefined);
    const leadFrames = 50; // 1 s
    const job = new ReplyJob(1, 'what about maintenance', 'en', playout, {
      responder,
      tts,
      leadFrames,
      now: () => performance.now(),
      onMetric: (m) => metrics.push(m),
    });
    await new Promise((r) => setTimeout(r, 100));
    // Held (speculative): it synthesized its lead and waits; 4 s of speech stay in the stream.
    expect(playout.state).toBe('held');
    expect(tts.pulled).toBeLessThanOrEqual(leadFrames / 5 + 1);
    expect(tts.pulled).toBeGreaterThanOrEqual(leadFrames / 5);
    playout.release();
    sink.start(2); // the media clock, ten times real time
    let maxHeld = 0;
    const watch = setInterval(() => (maxHeld = Math.max(maxHeld, playout.heldFrames)), 5);
    await job.done;
    clearInterval(watch);
    sink.stop();
    expect(tts.pulled).toBe(40);
    expect(maxHeld).toBeLessThanOrEqual(leadFrames + 5); // the lead and one chunk, never the whole 4 s (200 frames)
    const m = metrics.find((x) => x.type === 'tts_metrics');
    expect(m && m.type === 'tts_metrics' && m.audioMs).toBe(4000);
  });

  it('lets the stream go when the reply is cancelled while it waits', async () => {
    const sink = new HeldSink();
    const tts = new InstantTts();
    const playout = new Playout(sink, () => performance.now(), () => undefined);
    const job = new ReplyJob(1, 'hi', 'en', playout, { responder, tts, leadFrames: 50, now: () => performance.now(), onMetric: () => undefined });
    await new Promise((r) => setTimeout(r, 50));
    const pulled = tts.pulled;
    job.abort();
    playout.cancel();
    await job.done;
    expect(tts.pulled).toBe(pulled);
    expect(playout.heldFrames).toBe(0);
  });
});
