/**
 * Per-turn latency records and per-stage metrics, named as LiveKit and pipecat
 * users know them (end-of-utterance delay, transcription delay, LLM TTFT,
 * TTS TTFB, end-to-end). Times are milliseconds on the pipeline's clock.
 */
export type PipelineMetric =
  | { type: 'eou_metrics'; turnId: number; endOfUtteranceDelayMs: number; transcriptionDelayMs: number; waitMs: number; reason: string }
  | { type: 'stt_metrics'; turnId: number; provider: string; durationMs: number; audioMs: number; cancelled: boolean; error?: string }
  | { type: 'llm_metrics'; turnId: number; ttftMs: number | null; durationMs: number; cancelled: boolean; error?: string }
  /** `durationMs` counts synthesis, not the waits while the reply held its lead of unheard audio (backpressure). */
  | { type: 'tts_metrics'; turnId: number; provider: string; ttfbMs: number | null; durationMs: number; audioMs: number; characters: number; cancelled: boolean; error?: string }
  /** `atMs` is the detector's time on the media clock; `stopDelayMs` the pipeline's time to flush the sink. */
  | { type: 'interruption_metrics'; turnId: number; atMs: number; stopDelayMs: number; heardChars: number; resumed: boolean };

export type TurnOutcome = 'replied' | 'interrupted' | 'no_speech' | 'backchannel' | 'error';

/** Timestamps of one caller turn and the agent's answer to it. */
export interface TurnTimestamps {
  speechEnd: number;
  sttFinal?: number;
  endOfTurn?: number;
  llmStart?: number;
  llmFirstToken?: number;
  ttsFirstAudio?: number;
  /** First frame of the answer itself handed to the sink. */
  firstFrameOut?: number;
  /** A filler's first frame, when one covered a slow stage. */
  fillerOut?: number;
}

export interface TurnRecord {
  turnId: number;
  callerText: string;
  language: string | undefined;
  agentText: string;
  /** Set when the caller interrupted: the part of `agentText` actually heard. */
  heardText?: string;
  outcome: TurnOutcome;
  at: TurnTimestamps;
  /** Derived figures, null when the stage did not happen. */
  endOfUtteranceDelayMs: number | null;
  transcriptionDelayMs: number | null;
  llmTtftMs: number | null;
  ttsTtfbMs: number | null;
  endToEndMs: number | null;
  /** Speculative generations thrown away because the caller went on speaking. */
  speculationsDiscarded: number;
  fillerPlayed: boolean;
  /** Stages whose budget this turn exceeded. */
  budgetsExceeded: string[];
  sttProvider?: string;
}

const diff = (a: number | undefined, b: number | undefined): number | null => (a === undefined || b === undefined ? null : Math.max(0, b - a));

export function deriveTurnFigures(at: TurnTimestamps): Pick<TurnRecord, 'endOfUtteranceDelayMs' | 'transcriptionDelayMs' | 'llmTtftMs' | 'ttsTtfbMs' | 'endToEndMs'> {
  const audible = [at.firstFrameOut, at.fillerOut].filter((t): t is number => t !== undefined);
  return {
    endOfUtteranceDelayMs: diff(at.speechEnd, at.endOfTurn),
    transcriptionDelayMs: diff(at.speechEnd, at.sttFinal),
    llmTtftMs: diff(at.llmStart, at.llmFirstToken),
    ttsTtfbMs: diff(at.llmFirstToken, at.ttsFirstAudio),
    // End-to-end is what the caller waits through: a filler ends the silence too.
    endToEndMs: diff(at.speechEnd, audible.length ? Math.min(...audible) : undefined),
  };
}
