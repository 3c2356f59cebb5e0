/**
 * The seam between a call's media and whatever answers it (the speech pipeline,
 * or the demo handler until it lands). Runs inside the media worker.
 * Caller audio goes up as 20 ms 16 kHz mono frames; agent audio comes down the same way.
 */
import type { CallBargeInConfig, CallVadConfig } from './media-engine.js';

export type LatencyMark =
  | 'first_packet_in'
  | 'speech_start'
  | 'speech_end'
  | 'end_of_turn'
  | 'first_agent_packet_out'
  | 'barge_in_detected'
  | 'agent_audio_stopped';

/** `at`: ms since epoch. `barge_in`: caller speech over the agent that is not echo (native detector). */
export interface VoiceActivity {
  kind: 'onset' | 'offset' | 'barge_in';
  at: number;
}

export interface TurnRecord {
  role: 'caller' | 'agent';
  /** ms since epoch. */
  startedAt: number;
  endedAt: number;
  text?: string;
  /** Agent turns cut short by a barge-in. */
  interrupted?: boolean;
}

/**
 * Agent audio into the call: implemented by the media layer's paced Opus sender.
 * Structurally the speech pipeline's `AgentAudioSink` (src/pipeline/types.ts) plus `onDrained`.
 */
/** One frame's packet encoded ahead of time (a cached phrase), in the format named by its encoder. */
export interface EncodedFrame {
  format: string;
  packet: Uint8Array;
}

export interface AgentAudioSink {
  /**
   * Queues 16 kHz mono PCM: one 20 ms frame (320 samples) or any length, cut into frames (a short tail is zero-padded).
   * `encoded`, with one whole frame in `encodedFormat`, is sent as is instead of encoding `pcm`.
   */
  write(pcm: Int16Array, encoded?: EncodedFrame): void;
  /** The packet format sent without encoding. */
  readonly encodedFormat?: string;
  /** Drops everything queued (barge-in); the wire goes quiet at the next 20 ms tick. Returns frames dropped unsent. */
  flush(): number;
  /** Frames queued and not yet sent. */
  pending(): number;
  /** Called once each time the queue runs dry after playing. */
  onDrained: (() => void) | undefined;
}

/** What a handler may report about the call (forwarded to the main thread and the call record). */
export interface CallReporter {
  mark(mark: LatencyMark, at?: number): void;
  turn(turn: TurnRecord): void;
  transcript(role: 'caller' | 'agent', text: string, final: boolean): void;
}

export interface CallContext {
  callId: string;
  tenant: string;
  audio: AgentAudioSink;
  report: CallReporter;
  /** The wall clock in ms since epoch with sub-ms precision. */
  now(): number;
  /** Ends the call from the agent's side (e.g. after the goodbye); `reason` becomes the call's end reason. */
  hangup(reason: string): void;
}

/** Per-call settings of the native media engine a handler may ask for (the tenant's barge-in thresholds). */
export interface CallMediaConfig {
  vad?: CallVadConfig;
  bargeIn?: CallBargeInConfig;
}

/** Where the pacer takes the agent's frames from: its own queue, or a handler thread's ring (agent-frame-ring.ts). */
export interface AgentFrameSource {
  /** Next frame to send, or undefined when none is queued. Sets `lastPacket`. */
  shift(): Int16Array | undefined;
  /** The packet to send for the frame `shift()` returned last, when it came encoded. */
  readonly lastPacket: Uint8Array | undefined;
  /** True when the source was flushed since the last tick (a flush requested from another thread). */
  takeFlush?(): boolean;
}

export interface CallHandler {
  /** Read once when the call joins the native engine, right after the factory returns; engine defaults when absent. */
  readonly mediaConfig?: CallMediaConfig;
  /**
   * Set by a handler that queues the agent's frames itself, encoded (one running in the
   * handler thread, through shared memory): the pacer sends from it instead of `ctx.audio`.
   */
  readonly agentFrames?: AgentFrameSource;
  /** Called once the media path is up (DTLS connected). */
  onConnected(): void;
  /**
   * One decoded caller frame, 320 samples, every 20 ms. With the native engine it comes
   * out of the jitter buffer (lost frames concealed). The array is reused: copy to keep.
   */
  onCallerFrame(frame: Int16Array): void;
  /** The native engine's VAD and barge-in verdicts (absent without the engine). */
  onVoiceActivity?(event: VoiceActivity): void;
  /**
   * The call ended. A handler in another thread returns a promise that settles once what its
   * `onEnd` reported has arrived, so the call's end is announced after it.
   */
  onEnd(reason: string): void | Promise<void>;
}

/**
 * A handler module (loaded by each media worker from a URL) exports
 * `createCallHandler: CallHandlerFactory`. `options` is the structured-clone-safe
 * value given to the worker pool.
 */
export type CallHandlerFactory = (ctx: CallContext, options: unknown) => CallHandler;

export const wallClock = (): number => performance.timeOrigin + performance.now();
