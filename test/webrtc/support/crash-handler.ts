import type { CallContext, CallHandler, CallHandlerFactory } from '../../../src/media/webrtc-call-handler.js';

/**
 * A handler for failure tests: tenant `crash` takes the thread it runs in down when the call
 * connects (the handler thread, or the media worker with inline handlers); tenant `throw`
 * throws from the frame callback; others say hello.
 */
class CrashProbe implements CallHandler {
  constructor(private readonly ctx: CallContext) {}
  onConnected(): void {
    if (this.ctx.tenant === 'crash') process.exit(3);
    this.ctx.report.transcript('agent', `hello from ${this.ctx.tenant}`, true);
  }
  onCallerFrame(): void {
    if (this.ctx.tenant === 'throw') throw new Error('handler bug');
  }
  onEnd(): void {}
}

export const createCallHandler: CallHandlerFactory = (ctx) => new CrashProbe(ctx);
