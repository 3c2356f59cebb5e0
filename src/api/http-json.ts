// Small uWebSockets.js helpers for JSON routes: size-limited bodies, abort safety, corked writes.
import type { HttpResponse } from 'uWebSockets.js';

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const STATUS_TEXT: Record<number, string> = { 200: '200 OK', 201: '201 Created', 400: '400 Bad Request', 404: '404 Not Found', 409: '409 Conflict', 413: '413 Payload Too Large', 415: '415 Unsupported Media Type', 500: '500 Internal Server Error' };

/** A response wrapper that remembers aborts (uWS idiom 1: onAborted before any await, never touch res after). */
export interface SafeResponse {
  readonly aborted: boolean;
  readonly signal: AbortSignal;
  json(status: number, body: unknown): void;
}

export function safeResponse(res: HttpResponse): SafeResponse {
  const ac = new AbortController();
  let done = false;
  res.onAborted(() => {
    done = true;
    ac.abort();
  });
  return {
    get aborted() {
      return ac.signal.aborted;
    },
    signal: ac.signal,
    json(status, body) {
      if (done) return;
      done = true;
      const text = JSON.stringify(body);
      // Idiom 2: writes after an await go inside cork.
      res.cork(() => {
        res.writeStatus(STATUS_TEXT[status] ?? `${status}`).writeHeader('content-type', 'application/json').end(text);
      });
    },
  };
}

/** Reads the whole body, copying each chunk (idiom 3), rejecting beyond `limit` bytes or on abort. */
export function readBody(res: HttpResponse, safe: SafeResponse, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    safe.signal.addEventListener('abort', () => reject(new HttpError(499, 'client went away')), { once: true });
    res.onData((ab, isLast) => {
      if (failed) return;
      size += ab.byteLength;
      if (size > limit) {
        failed = true;
        reject(new HttpError(413, `body larger than ${limit} bytes`));
        return;
      }
      chunks.push(Buffer.from(ab.slice(0)));
      if (isLast) resolve(Buffer.concat(chunks));
    });
  });
}

export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}
