// The HTTP calls of the adapters: fetch with a deadline, and status codes sorted into
// retryable (network, timeout, 408, 429, 5xx) and permanent (other 4xx) failures.
import { DeliveryError } from './errors.js';
import { safeUrlLabel } from './targets.js';

export interface HttpResponse {
  status: number;
  text: string;
}

export async function httpRequest(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
  signal: AbortSignal,
): Promise<HttpResponse> {
  const where = `${init.method} ${safeUrlLabel(url)}`;
  let res: Response;
  try {
    res = await fetch(url, { method: init.method, headers: init.headers, body: init.body, signal, redirect: 'error' });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    const msg = signal.aborted ? 'timed out' : `${err instanceof Error ? err.message : String(err)}${cause}`;
    throw new DeliveryError(`${where} failed: ${msg}`, true, { cause: err });
  }
  const text = await res.text().catch(() => '');
  if (res.status >= 200 && res.status < 300) return { status: res.status, text };
  const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
  const snippet = text.replace(/\s+/g, ' ').slice(0, 200);
  throw new DeliveryError(`${where} answered ${res.status}${snippet ? `: ${snippet}` : ''}`, retryable);
}

/** Parses a JSON response body or fails permanently (the service answered, but not as documented). */
export function parseJson(res: HttpResponse, what: string): unknown {
  try {
    return JSON.parse(res.text) as unknown;
  } catch {
    throw new DeliveryError(`${what}: response is not JSON`, false);
  }
}
