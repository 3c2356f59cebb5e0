// Delivery failures carry whether a retry can help; the worker decides backoff or dead-letter from it.

export class DeliveryError extends Error {
  readonly retryable: boolean;

  constructor(message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeliveryError';
    this.retryable = retryable;
  }
}

/** A target whose configuration is missing or invalid: retrying without a config change cannot help. */
export class TargetConfigError extends DeliveryError {
  constructor(message: string) {
    super(message, false);
    this.name = 'TargetConfigError';
  }
}

/** The message stored in last_error: one line, bounded, no stack. */
export function describeError(err: unknown): string {
  const named = err instanceof Error && !(err instanceof DeliveryError) && err.name !== 'Error';
  const text = err instanceof Error ? `${named ? `${err.name}: ` : ''}${err.message}` : String(err);
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 500 ? `${oneLine.slice(0, 497)}...` : oneLine;
}

export function isRetryable(err: unknown): boolean {
  return err instanceof DeliveryError ? err.retryable : true;
}
