// What every adapter receives for one attempt.
import type { CallSummary } from '../summary-view.js';

export interface SendContext {
  /** call id + target; sent as Idempotency-Key where the downstream API takes one. */
  idempotencyKey: string;
  summary: CallSummary;
  /** The raw summary JSON as enqueued (all fields, e.g. the transcript), for webhooks. */
  payloadJson: string;
  /** Aborts the attempt at the worker's deadline. */
  signal: AbortSignal;
  timeoutMs: number;
  /** Epoch milliseconds from the worker's clock. */
  now: () => number;
  /** Steps already done by an earlier attempt (multi-step CRM calls), by name. */
  progress: Readonly<Record<string, string>>;
  /** Records a finished step so a retry skips it. */
  saveProgress: (step: string, value: string) => void;
}
