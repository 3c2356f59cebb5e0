import { FRAME_MS } from './opus-codec.js';

export interface EnergyDetectorOptions {
  /** A frame is voiced above this RMS level in dBFS, and 12 dB above the tracked noise floor. */
  thresholdDbfs?: number;
  /** Voiced time needed to declare speech (ignores clicks). */
  minSpeechMs?: number;
  /** Silence after speech that ends the caller's turn (LiveKit's default is 500 ms). */
  endOfTurnSilenceMs?: number;
}

export type EnergyEvent =
  | { type: 'speech_start'; at: number }
  | { type: 'end_of_turn'; speechStart: number; speechEnd: number; at: number };

/**
 * A plain energy endpointer for the demo handler: speech starts after
 * `minSpeechMs` of voiced frames and the turn ends after `endOfTurnSilenceMs` of
 * unvoiced ones. The real pipeline replaces it with the native VAD and turn-taking.
 */
export class EnergyTurnDetector {
  private readonly threshold: number;
  private readonly minVoiced: number;
  private readonly silenceFrames: number;
  private noiseDb = -70;
  private voicedRun = 0;
  private silentRun = 0;
  private inSpeech = false;
  private speechStart = 0;
  private lastVoicedAt = 0;
  private firstVoicedAt = 0;

  constructor(opts: EnergyDetectorOptions = {}) {
    this.threshold = opts.thresholdDbfs ?? -45;
    this.minVoiced = Math.max(1, Math.round((opts.minSpeechMs ?? 100) / FRAME_MS));
    this.silenceFrames = Math.max(1, Math.round((opts.endOfTurnSilenceMs ?? 600) / FRAME_MS));
  }

  get speaking(): boolean {
    return this.inSpeech;
  }

  /** Level of a 16-bit frame in dBFS. */
  static levelDbfs(frame: Int16Array): number {
    let sum = 0;
    for (let i = 0; i < frame.length; i++) {
      const v = frame[i] as number;
      sum += v * v;
    }
    const rms = Math.sqrt(sum / Math.max(1, frame.length)) / 32768;
    return rms > 0 ? 20 * Math.log10(rms) : -120;
  }

  /** Feeds one 20 ms frame received at `at` (ms); returns an event when one happens. */
  push(frame: Int16Array, at: number): EnergyEvent | undefined {
    const db = EnergyTurnDetector.levelDbfs(frame);
    const voiced = db > this.threshold && db > this.noiseDb + 12;
    if (!voiced) this.noiseDb = this.noiseDb * 0.95 + Math.max(db, -90) * 0.05;
    if (voiced) {
      if (this.voicedRun === 0) this.firstVoicedAt = at - FRAME_MS;
      this.voicedRun++;
      this.silentRun = 0;
      this.lastVoicedAt = at;
      if (!this.inSpeech && this.voicedRun >= this.minVoiced) {
        this.inSpeech = true;
        this.speechStart = this.firstVoicedAt;
        return { type: 'speech_start', at: this.speechStart };
      }
      return undefined;
    }
    this.voicedRun = 0;
    if (!this.inSpeech) return undefined;
    this.silentRun++;
    if (this.silentRun >= this.silenceFrames) {
      this.inSpeech = false;
      this.silentRun = 0;
      return { type: 'end_of_turn', speechStart: this.speechStart, speechEnd: this.lastVoicedAt, at };
    }
    return undefined;
  }
}
