/**
 * A media worker's side of its link to a handler thread (handler-thread.ts, started by the main
 * thread: handler-threads.ts): opens a handler there per call, and stands in for it in the
 * worker as a `CallHandler` whose audio goes through the link's shared rings. Once per media
 * tick, after the engine's tick, `afterTick()` publishes every call's caller frames and sends
 * the one `tick` message.
 */
import { AgentRingReader } from './agent-frame-ring.js';
import { CallerRingWriter } from './caller-frame-ring.js';
import { BridgeSlotViews } from './handler-bridge-memory.js';
import type { FromHandlerLink, HandlerLinkData, ToHandlerLink } from './handler-thread-messages.js';
import type { CallContext, CallHandler, CallHandlerFactory, CallMediaConfig, VoiceActivity } from './webrtc-call-handler.js';

export interface HandlerLinkOptions {
  log(level: 'warn' | 'error', msg: string, err?: string): void;
  /** The handler thread is gone (its port closed): this worker's calls cannot go on. */
  onClose(): void;
}

interface Opening {
  slot: number;
  resolve(f: CallHandlerFactory): void;
  reject(err: Error): void;
}

export class HandlerLink {
  private readonly views: BridgeSlotViews[] = [];
  private readonly free: number[];
  private readonly opening = new Map<string, Opening>();
  private readonly remotes = new Map<string, RemoteCallHandler>();
  private closed = false;

  constructor(
    private readonly link: HandlerLinkData,
    private readonly opts: HandlerLinkOptions,
  ) {
    this.free = Array.from({ length: link.maxCalls }, (_, i) => link.maxCalls - 1 - i);
    link.port.on('message', (m: FromHandlerLink) => this.onMessage(m));
    link.port.on('close', () => this.onClose());
  }

  /** Creates the call's handler in the thread; resolves with the factory the call's MediaSession calls. */
  open(callId: string, tenant: string): Promise<CallHandlerFactory> {
    if (this.closed) return Promise.reject(new Error('handler thread is gone'));
    const slot = this.free.pop();
    if (slot === undefined) return Promise.reject(new Error('handler thread has no free call slot'));
    const v = (this.views[slot] ??= new BridgeSlotViews(this.link.bridge, slot));
    v.reset();
    return new Promise((resolve, reject) => {
      this.opening.set(callId, { slot, resolve, reject });
      this.send({ t: 'open', callId, tenant, slot });
    });
  }

  /**
   * Ends a call whose handler was opened but whose media session could not start: the thread
   * ends the handler and frees its slot ('closed'), as for a call that ended.
   */
  abandon(callId: string): void {
    const r = this.remotes.get(callId);
    if (r) void r.onEnd('handler_error');
    else this.send({ t: 'end', callId, reason: 'handler_error' });
  }

  /** After the media tick: publishes the tick's caller frames and wakes the thread once. */
  afterTick(): void {
    if (this.remotes.size === 0) return;
    for (const r of this.remotes.values()) r.caller.publish();
    this.send({ t: 'tick' });
  }

  send(m: ToHandlerLink): void {
    if (!this.closed) this.link.port.postMessage(m);
  }

  private onMessage(m: FromHandlerLink): void {
    switch (m.t) {
      case 'opened': {
        const o = this.opening.get(m.callId);
        if (!o) return;
        this.opening.delete(m.callId);
        const v = this.views[o.slot]!;
        o.resolve((ctx) => {
          const r = new RemoteCallHandler(this, ctx, o.slot, v, m.mediaConfig, m.takesVerdicts);
          this.remotes.set(ctx.callId, r);
          return r;
        });
        return;
      }
      case 'open_failed': {
        const o = this.opening.get(m.callId);
        if (!o) return;
        this.opening.delete(m.callId);
        this.free.push(o.slot);
        o.reject(new Error(m.message));
        return;
      }
      case 'closed': {
        const r = this.remotes.get(m.callId);
        this.remotes.delete(m.callId);
        this.free.push(m.slot);
        r?.closed();
        return;
      }
      case 'mark':
        this.remotes.get(m.callId)?.ctx.report.mark(m.mark, m.at);
        return;
      case 'turn':
        this.remotes.get(m.callId)?.ctx.report.turn(m.turn);
        return;
      case 'transcript':
        this.remotes.get(m.callId)?.ctx.report.transcript(m.role, m.text, m.final);
        return;
      case 'hangup':
        this.remotes.get(m.callId)?.ctx.hangup(m.reason);
        return;
      case 'failed':
        this.opts.log('error', `call handler failed (${m.callId})`, m.err);
        this.remotes.get(m.callId)?.ctx.hangup('handler_error');
        return;
    }
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const r of this.remotes.values()) r.closed();
    for (const o of this.opening.values()) o.reject(new Error('handler thread is gone'));
    this.opening.clear();
    this.opts.onClose();
  }
}

/**
 * A call's handler as the media worker sees it: caller frames and verdicts go into the
 * call's caller ring, the agent's frames come from its agent ring (`agentFrames`, which
 * the pacer sends from), and the rest are messages to the handler thread.
 */
class RemoteCallHandler implements CallHandler {
  readonly caller: CallerRingWriter;
  readonly agentFrames: AgentRingReader;
  /** Settles once the thread has ended the handler (everything it reported has arrived before). */
  private readonly ended: Promise<void>;
  private ending = false;
  closed!: () => void;

  constructor(
    private readonly link: HandlerLink,
    readonly ctx: CallContext,
    readonly slot: number,
    views: BridgeSlotViews,
    readonly mediaConfig: CallMediaConfig | undefined,
    private readonly takesVerdicts: boolean,
  ) {
    this.caller = new CallerRingWriter(views);
    this.agentFrames = new AgentRingReader(views);
    this.ended = new Promise((resolve) => (this.closed = resolve));
  }

  onConnected(): void {
    this.link.send({ t: 'connected', callId: this.ctx.callId });
  }

  onCallerFrame(frame: Int16Array): void {
    this.caller.frame(frame);
  }

  onVoiceActivity(ev: VoiceActivity): void {
    this.caller.activity(ev);
    // Barge-in stage one on this thread: the next tick sends nothing, whatever the handler thread is doing.
    if (ev.kind === 'barge_in' && this.takesVerdicts) this.agentFrames.hold();
  }

  onEnd(reason: string): Promise<void> {
    if (!this.ending) {
      this.ending = true;
      this.caller.publish();
      // The slot is released when the thread says the handler has ended ('closed').
      this.link.send({ t: 'end', callId: this.ctx.callId, reason });
    }
    return this.ended;
  }
}
