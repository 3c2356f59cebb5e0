import type { CallContext, CallHandler, CallHandlerFactory, VoiceActivity } from '../../../src/media/webrtc-call-handler.js';

/**
 * A call handler that reports the native engine's voice-activity verdicts as
 * non-final transcript lines (`vad:onset`, `vad:offset`, `vad:barge_in`) and counts
 * caller frames, so a test can watch the handler seam from the caller's side.
 */
class VadProbe implements CallHandler {
  private frames = 0;
  constructor(private readonly ctx: CallContext) {}
  onConnected(): void {
    this.ctx.report.transcript('agent', 'probe ready', true);
  }
  onCallerFrame(frame: Int16Array): void {
    if (frame.length !== 320) throw new Error(`frame of ${frame.length} samples`);
    this.frames++;
  }
  onVoiceActivity(e: VoiceActivity): void {
    this.ctx.report.transcript('caller', `vad:${e.kind}:${this.frames}`, false);
  }
  onEnd(): void {}
}

export const createCallHandler: CallHandlerFactory = (ctx) => new VadProbe(ctx);
