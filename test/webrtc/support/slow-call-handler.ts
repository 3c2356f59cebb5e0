import { SAMPLE_RATE } from '../../../src/media/opus-codec.js';
import type { CallContext, CallHandler, CallHandlerFactory } from '../../../src/media/webrtc-call-handler.js';

/**
 * A handler for the slow-call isolation test (slow-call-isolation.test.ts).
 *
 * Tenant `steady` plays a continuous tone for the whole call, topped up so its queue never
 * runs dry: its caller should get one packet every 20 ms without a hole. It reports
 * `steady: underrun` if its queue ever drains (the test then knows a gap was the handler's).
 *
 * Tenant `slow` is slow in the three ways production calls get slow, all at once:
 *  (a) its dialog awaits long-pending provider promises (an LLM reply that takes seconds):
 *      asynchronous waiting, the worker stays free meanwhile;
 *  (b) when the "reply" lands it queues a large burst of agent audio in one write
 *      (10 s of TTS output at once), plays part of it, flushes the rest (a barge-in),
 *      then plays a second, shorter reply to the end;
 *  (c) it does ~2 ms of synchronous work on every caller frame (JavaScript feature
 *      extraction / endpointing), which runs inside the worker's 20 ms tick but fits in it.
 * It reports its progress as transcripts: `slow: done sent=N` carries the frames it played.
 */
export const SLOW_REPLY_MS = 1500;
export const SLOW_BURST_S = 10;
export const SLOW_BURST_PLAYED_MS = 2000;
export const SLOW_SECOND_REPLY_MS = 1000;
export const SLOW_SECOND_S = 3;
export const SLOW_FRAME_WORK_MS = 2;

const FRAMES_PER_SECOND = 50;

/** `seconds` of a sine tone at -12 dBFS, continuing from `phase` (returns the new phase). */
function tone(seconds: number, hz: number, phase: number): { pcm: Int16Array; phase: number } {
  const pcm = new Int16Array(Math.round(seconds * SAMPLE_RATE));
  const step = (2 * Math.PI * hz) / SAMPLE_RATE;
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(8200 * Math.sin(phase + i * step));
  return { pcm, phase: (phase + pcm.length * step) % (2 * Math.PI) };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class SteadyCall implements CallHandler {
  private phase = 0;
  private ended = false;
  constructor(private readonly ctx: CallContext) {
    ctx.audio.onDrained = () => {
      if (!this.ended) ctx.report.transcript('agent', 'steady: underrun', true);
    };
  }
  onConnected(): void {
    this.topUp();
    this.ctx.report.transcript('agent', 'steady: playing', true);
  }
  onCallerFrame(): void {
    this.topUp();
  }
  onEnd(): void {
    this.ended = true;
  }
  /** Keeps at least a second of tone queued. */
  private topUp(): void {
    if (this.ended || this.ctx.audio.pending() >= FRAMES_PER_SECOND) return;
    const t = tone(1, 440, this.phase);
    this.phase = t.phase;
    this.ctx.audio.write(t.pcm);
  }
}

class SlowCall implements CallHandler {
  private ended = false;
  private sent = 0;
  constructor(private readonly ctx: CallContext) {}

  onConnected(): void {
    this.dialog().catch((err: unknown) => {
      this.ctx.report.transcript('agent', `slow: failed ${String(err)}`, true);
      this.ctx.hangup('handler_error');
    });
  }

  /** (c) A moderate synchronous chunk of work per frame, well inside one 20 ms tick. */
  onCallerFrame(): void {
    const until = performance.now() + SLOW_FRAME_WORK_MS;
    while (performance.now() < until) {
      // busy: stands in for per-frame JavaScript DSP
    }
  }

  onEnd(): void {
    this.ended = true;
  }

  private async dialog(): Promise<void> {
    const say = (text: string): void => this.ctx.report.transcript('agent', text, true);
    say('slow: thinking');
    // (a) The provider's first reply takes seconds to arrive.
    await sleep(SLOW_REPLY_MS);
    if (this.ended) return;
    // (b) Ten seconds of agent audio queued in one write...
    const burstFrames = SLOW_BURST_S * FRAMES_PER_SECOND;
    this.ctx.audio.write(tone(SLOW_BURST_S, 660, 0).pcm);
    say('slow: burst queued');
    await sleep(SLOW_BURST_PLAYED_MS);
    if (this.ended) return;
    // ...then the caller barges in: the rest is flushed.
    const dropped = this.ctx.audio.flush();
    this.sent += burstFrames - dropped;
    say(`slow: flushed ${dropped}`);
    // (a) again: the answer to the barge-in is slow too, then played to the end.
    await sleep(SLOW_SECOND_REPLY_MS);
    if (this.ended) return;
    const drained = new Promise<void>((resolve) => {
      this.ctx.audio.onDrained = resolve;
    });
    this.ctx.audio.write(tone(SLOW_SECOND_S, 660, 0).pcm);
    await drained;
    this.sent += SLOW_SECOND_S * FRAMES_PER_SECOND;
    say(`slow: done sent=${this.sent}`);
  }
}

export const createCallHandler: CallHandlerFactory = (ctx) => (ctx.tenant === 'slow' ? new SlowCall(ctx) : new SteadyCall(ctx));
