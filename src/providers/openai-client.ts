/** The `openai` client as the speech providers use it: base URL and key from settings, retries left to us. */
import OpenAI from 'openai';

export interface OpenAiSettings {
  apiKey: string;
  /** An OpenAI-compatible endpoint, e.g. http://127.0.0.1:8089/v1 (default: OpenAI). */
  baseURL?: string;
  /** Per-request timeout in ms (the pipeline's budgets cut earlier; default 15 s). */
  timeoutMs?: number;
}

export function createOpenAiClient(s: OpenAiSettings): OpenAI {
  return new OpenAI({
    apiKey: s.apiKey,
    ...(s.baseURL ? { baseURL: s.baseURL } : {}),
    timeout: s.timeoutMs ?? 15_000,
    // The fallback wrappers own retries so a retry never blows a latency budget unseen.
    maxRetries: 0,
  });
}

/** True for failures worth a retry or a fallback (network, timeout, 408/409/429/5xx). */
export function isRetryable(err: unknown): boolean {
  if (err instanceof OpenAI.APIConnectionError) return true;
  if (err instanceof OpenAI.APIError) {
    const s = err.status ?? 0;
    return s === 408 || s === 409 || s === 429 || s >= 500;
  }
  return false;
}

export function isAbort(err: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || err instanceof OpenAI.APIUserAbortError || (err instanceof Error && err.name === 'AbortError');
}
