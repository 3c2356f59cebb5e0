import { native } from './native.js';

/** Frame VAD settings (see native/src/vad.h). Every field is optional. */
export interface FrameVadConfig {
  /** 8000 or 16000 */
  sampleRate?: number;
  /** speech must persist this long to start a segment (default 60) */
  onsetMs?: number;
  /** silence must persist this long to end it (default 200) */
  hangoverMs?: number;
  /** probability above which a frame counts as speech (default 0.5) */
  threshold?: number;
  /** frames quieter than this are silence whatever their spectrum (default -60) */
  silenceFloorDbfs?: number;
}

/** One frame's verdict. */
export interface VadFrameResult {
  probability: number;
  energyDb: number;
  speech: boolean;
  onset: boolean;
  offset: boolean;
}

/** The native frame VAD: energy over an adaptive noise floor, band SNR and spectral flatness. */
export interface FrameVad {
  readonly sampleRate: number;
  /** 30 ms at the configured rate: the longest frame process() accepts */
  readonly maxFrameSamples: number;
  process(frame: Int16Array): VadFrameResult;
  /**
   * Runs consecutive frames of `frameSamples` in one native call; writes one probability and
   * one speech flag per whole frame and returns the number of frames.
   */
  processFrames(pcm: Int16Array, frameSamples: number, probability: Float32Array, speech: Uint8Array): number;
  reset(): void;
}

/** Barge-in settings (see native/src/barge_in.h); per tenant upstream. */
export interface BargeInConfig {
  sampleRate?: number;
  /** caller speech must last this long to interrupt (default 200) */
  minSpeechMs?: number;
  /** caller energy must exceed the expected echo by this margin (default 6) */
  echoMarginDb?: number;
  /** attenuation of the agent's audio on its way back (default 20) */
  echoReturnLossDb?: number;
  /** echo may arrive up to this late (default 60) */
  echoDelayMaxMs?: number;
  /**
   * > 0: estimate the echo delay up to this lag from the agent's and caller's level envelopes
   * and, once clear, look for echo within +-echoDelayToleranceMs of it (default 0 = off)
   */
  echoDelaySearchMs?: number;
  /** half-width of the window around the estimated echo delay (default 40) */
  echoDelayToleranceMs?: number;
  /** expected echo decays by 60 dB over this time (default 150) */
  echoTailMs?: number;
  /** dips shorter than this do not break a speech run (default 40) */
  gapToleranceMs?: number;
  /** VAD probability that counts as caller voice (default 0.5) */
  vadThreshold?: number;
}

export interface BargeInResult {
  triggered: boolean;
  /** timestamp of the deciding frame (caller's media clock, ms) */
  atMs: number;
  /** timestamp of the first frame of the interrupting speech */
  speechStartMs: number;
}

export interface BargeInDetector {
  /** expected echo level at the caller's microphone, dBFS */
  readonly expectedEchoDb: number;
  /** estimated echo delay in ms, or -1 while there is none (or the search is off) */
  readonly estimatedEchoDelayMs: number;
  setAgentSpeaking(speaking: boolean): void;
  noteAgentFrame(frame: Int16Array): void;
  process(vad: Pick<VadFrameResult, 'probability'> & Partial<VadFrameResult>, frame: Int16Array, frameTimeMs: number): BargeInResult;
  /**
   * Runs consecutive ticks in one native call: for each frame, notes the agent frame, then
   * judges the caller frame with its VAD probability. Returns the timestamps that triggered.
   */
  processFrames(probability: Float32Array, caller: Int16Array, agent: Int16Array, frameSamples: number, startMs: number): number[];
  reset(): void;
}

type Ctor<C, T> = new (config?: C) => T;

function exported<T>(name: string): T {
  const value = native[name];
  if (typeof value !== 'function') throw new Error(`native addon lacks ${name}; rebuild with npm run build:native`);
  return value as T;
}

export const FrameVad: Ctor<FrameVadConfig, FrameVad> = exported('FrameVad');
export const BargeInDetector: Ctor<BargeInConfig, BargeInDetector> = exported('BargeInDetector');
