import { z } from 'zod';
import type { CallContext, CallHandler, CallHandlerFactory } from './webrtc-call-handler.js';
import { EnergyTurnDetector } from './webrtc-energy-detector.js';
import { SAMPLE_RATE } from './opus-codec.js';

/**
 * The demo call handler, a stand-in until the speech pipeline is wired in: it plays
 * a greeting when the call connects, detects the caller's turn with an energy
 * endpointer, answers with a fixed reply, and stops talking when the caller barges in.
 * Load it in the worker pool with `new URL('./webrtc-demo-handler.ts', import.meta.url)`.
 */
const PhraseSchema = z.object({ text: z.string(), pcm: z.custom<Int16Array>((v) => v instanceof Int16Array, 'pcm must be an Int16Array') });
export const DemoHandlerOptionsSchema = z.object({
  greeting: PhraseSchema,
  reply: PhraseSchema,
  endOfTurnSilenceMs: z.number().int().min(100).max(3000).default(600),
  /** Caller speech over agent audio for this long stops the agent. */
  bargeInMs: z.number().int().min(20).max(2000).default(240),
});
export type DemoHandlerOptions = z.input<typeof DemoHandlerOptionsSchema>;

type Phrase = z.infer<typeof PhraseSchema>;

export class DemoCallHandler implements CallHandler {
  private readonly detector: EnergyTurnDetector;
  private readonly opts: z.infer<typeof DemoHandlerOptionsSchema>;
  private speaking: { text: string; startedAt: number; samples: number } | undefined;
  private bargeVoiced = 0;

  constructor(private readonly ctx: CallContext, options: unknown) {
    this.opts = DemoHandlerOptionsSchema.parse(options);
    this.detector = new EnergyTurnDetector({ endOfTurnSilenceMs: this.opts.endOfTurnSilenceMs });
    ctx.audio.onDrained = () => this.finishAgentTurn(false);
  }

  onConnected(): void {
    this.say(this.opts.greeting);
  }

  onCallerFrame(frame: Int16Array): void {
    const at = this.ctx.now();
    const ev = this.detector.push(frame, at);
    if (this.speaking) {
      // Barge-in: sustained caller voice while the agent talks.
      this.bargeVoiced = EnergyTurnDetector.levelDbfs(frame) > -45 ? this.bargeVoiced + 20 : 0;
      if (this.bargeVoiced >= this.opts.bargeInMs) {
        this.ctx.report.mark('barge_in_detected', at);
        this.ctx.audio.flush();
        this.finishAgentTurn(true);
      }
    }
    if (!ev) return;
    if (ev.type === 'speech_start') {
      this.ctx.report.mark('speech_start', ev.at);
      return;
    }
    this.ctx.report.mark('speech_end', ev.speechEnd);
    this.ctx.report.mark('end_of_turn', ev.at);
    const text = `(caller spoke for ${((ev.speechEnd - ev.speechStart) / 1000).toFixed(1)} s)`;
    this.ctx.report.turn({ role: 'caller', startedAt: ev.speechStart, endedAt: ev.speechEnd, text });
    this.ctx.report.transcript('caller', text, true);
    if (!this.speaking) this.say(this.opts.reply);
  }

  onEnd(): void {
    if (this.speaking) this.finishAgentTurn(true);
  }

  private say(p: Phrase): void {
    this.speaking = { text: p.text, startedAt: this.ctx.now(), samples: p.pcm.length };
    this.bargeVoiced = 0;
    this.ctx.report.transcript('agent', p.text, true);
    this.ctx.audio.write(p.pcm);
  }

  private finishAgentTurn(interrupted: boolean): void {
    const s = this.speaking;
    if (!s) return;
    this.speaking = undefined;
    const endedAt = this.ctx.now();
    if (interrupted) {
      // What the caller heard: the share of the phrase played before the stop.
      const heard = Math.min(1, ((endedAt - s.startedAt) / 1000) * SAMPLE_RATE / Math.max(1, s.samples));
      const words = s.text.split(' ');
      const text = words.slice(0, Math.round(words.length * heard)).join(' ');
      this.ctx.report.turn({ role: 'agent', startedAt: s.startedAt, endedAt, text, interrupted: true });
    } else {
      this.ctx.report.turn({ role: 'agent', startedAt: s.startedAt, endedAt, text: s.text });
    }
  }
}

export const createCallHandler: CallHandlerFactory = (ctx, options) => new DemoCallHandler(ctx, options);
