/**
 * Latency budgets and turn-taking settings of the speech pipeline, with
 * defaults; a tenant overrides any subset. Invalid overrides are refused at
 * load with the field named, never silently corrected.
 */
import { z } from 'zod';

const ms = (def: number) => z.number().int().min(0).max(60_000).default(def);

export const LatencyBudgetsSchema = z.object({
  /** Jitter buffer target delay (the media layer applies it; recorded here for the turn record). */
  jitterBufferMs: ms(60),
  /** Base end-of-turn wait after the VAD reports the end of speech. */
  endOfTurnMs: ms(500),
  /** Time the primary STT gets for a final transcript before the fallback recognizer takes over. */
  sttFinalMs: ms(1500),
  /** Silence after the end of turn before a cached filler plays while the LLM is slow. */
  llmFirstTokenMs: ms(1200),
  /** Time the primary TTS gets for first audio before the fallback voice speaks the sentence. */
  ttsFirstAudioMs: ms(1000),
  /** Gateway's own share: end-of-turn decision to first frame handed to the sink (measured, not enforced). */
  firstPacketOutMs: ms(30),
  /** A reply with no audio this long after the end of turn is abandoned for an apology. */
  giveUpMs: ms(8000),
});

export const EndpointingSchema = z.object({
  /** Wait when the agent asked a yes/no, number or time question and the answer looks complete. */
  quickWaitMs: ms(200),
  /** Wait when the caller stopped mid-sentence ("and then the..."). */
  incompleteWaitMs: ms(1500),
  /** Audio kept from before the VAD onset so the first syllable is not clipped. */
  preRollMs: ms(300),
});

/**
 * Two-stage barge-in: the native detector pauses the agent after `pauseSpeechMs` of caller
 * voice (the tenant's `bargeIn.minSpeechMs`, recorded here); the pipeline confirms the
 * interruption when the caller is still talking `confirmSpeechMs` after the onset, or
 * earlier on a transcript that is not a backchannel, and otherwise resumes.
 */
export const InterruptionSchema = z.object({
  pauseSpeechMs: ms(60),
  confirmSpeechMs: ms(1000),
});

export const PipelineConfigSchema = z.object({
  budgets: LatencyBudgetsSchema.default(LatencyBudgetsSchema.parse({})),
  endpointing: EndpointingSchema.default(EndpointingSchema.parse({})),
  interruption: InterruptionSchema.default(InterruptionSchema.parse({})),
  /** A pause whose speech neither confirmed nor ended with a transcript by then: resume if the caller is quiet, else confirm. */
  falseInterruptionMs: ms(1500),
  /**
   * Synthesized speech a reply holds ahead of what the caller has heard: past this lead the TTS
   * stream waits until the caller has heard half of it (backpressure), so a reply's memory does not
   * grow with its length. Replies shorter than the lead never wait (reading a stream at the caller's
   * pace costs CPU). Above the media ring's 1.28 s, so a stream that keeps pace never leaves the caller in silence.
   */
  ttsLeadMs: z.number().int().min(1500).max(60_000).default(6000),
  /** Tenant vocabulary given to STT (trade terms, street names). */
  vocabulary: z.array(z.string().min(1).max(100)).max(500).default([]),
});

export type LatencyBudgets = z.infer<typeof LatencyBudgetsSchema>;
export type EndpointingConfig = z.infer<typeof EndpointingSchema>;
export type InterruptionConfig = z.infer<typeof InterruptionSchema>;
export type PipelineConfig = z.infer<typeof PipelineConfigSchema>;
export type PipelineConfigInput = z.input<typeof PipelineConfigSchema>;

/** Defaults merged with a tenant's overrides; throws naming every bad field. */
export function resolvePipelineConfig(overrides: unknown = {}): PipelineConfig {
  const parsed = PipelineConfigSchema.safeParse(overrides ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`invalid pipeline settings: ${problems}`);
  }
  return parsed.data;
}
