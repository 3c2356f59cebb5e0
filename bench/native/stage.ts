/**
 * One measured figure of the native benchmark. Each file in bench/native/stages/
 * default-exports a `StageBench`; bench/native/run.ts runs them all and writes
 * bench/results/native.json and the table in BENCHMARKS.md.
 */
export interface StageResult {
  /** e.g. "jitter+vad+barge-in", "srtp unprotect", "silero batched" */
  stage: string;
  /** concurrent calls (or batch size) measured */
  calls: number;
  /** microseconds of CPU per unit per call */
  usPerUnit: number;
  /** what one unit is, e.g. "20 ms frame", "32 ms chunk", "160-byte packet" */
  unit: string;
  /** the target for this figure, in the same unit, when there is one */
  targetUs?: number;
  note?: string;
}

export type StageBench = (callCounts: readonly number[]) => Promise<StageResult[]>;
