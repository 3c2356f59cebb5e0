// uWebSockets.js route helper for the operator API and the dashboard: abort-safe async handlers
// (GUIDE idioms 1-3: onAborted first, corked writes after await, body chunks copied by readBody),
// request headers and query read synchronously before any await, typed errors to status codes.
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { Logger } from 'pino';
import { HttpError, parseJson, readBody, safeResponse } from '../api/http-json.js';

const STATUS: Record<number, string> = {
  200: '200 OK', 201: '201 Created', 204: '204 No Content', 302: '302 Found', 400: '400 Bad Request', 401: '401 Unauthorized',
  403: '403 Forbidden', 404: '404 Not Found', 409: '409 Conflict', 413: '413 Payload Too Large', 415: '415 Unsupported Media Type', 429: '429 Too Many Requests',
  500: '500 Internal Server Error',
};

export interface Reply {
  status: number;
  body: string | Buffer;
  contentType: string;
  headers?: Record<string, string>;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply =>
  ({ status, body: JSON.stringify(body), contentType: 'application/json', ...(headers ? { headers } : {}) });

/** What a handler sees of the request: captured synchronously, since uWS invalidates `req` after the first await. */
export interface RequestInfo {
  method: string;
  url: string;
  params: string[];
  query: URLSearchParams;
  header(name: string): string;
  /** The JSON body (read lazily; {} when empty). */
  body(): Promise<unknown>;
  signal: AbortSignal;
}

export type Handler = (r: RequestInfo) => Promise<Reply>;

const HEADERS = ['authorization', 'cookie', 'content-type', 'origin', 'host'] as const;

export function cookie(r: RequestInfo, name: string): string | undefined {
  for (const part of r.header('cookie').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export function route(
  app: TemplatedApp, method: 'get' | 'post' | 'put', pattern: string, log: Logger, handler: Handler, maxBodyBytes = 64 * 1024,
): void {
  const nParams = (pattern.match(/\/:/g) ?? []).length;
  app[method](pattern, (res: HttpResponse, req: HttpRequest) => {
    const safe = safeResponse(res);
    const headers = new Map<string, string>(HEADERS.map((h) => [h, req.getHeader(h)]));
    const info: RequestInfo = {
      method: req.getMethod(),
      url: req.getUrl(),
      params: Array.from({ length: nParams }, (_, i) => decodeURIComponent(req.getParameter(i) ?? '')),
      query: new URLSearchParams(req.getQuery() ?? ''),
      header: (n) => headers.get(n) ?? '',
      body: method === 'get' ? () => Promise.resolve({}) : (() => {
        const pending = readBody(res, safe, maxBodyBytes).then(parseJson);
        pending.catch(() => undefined);
        return () => pending;
      })(),
      signal: safe.signal,
    };
    handler(info)
      .then((reply) => send(res, safe.signal, reply))
      .catch((err: unknown) => {
        if (err instanceof HttpError) {
          if (err.status !== 499) send(res, safe.signal, json(err.status, { error: err.message }));
          return;
        }
        log.error({ err, url: info.url }, 'request failed');
        send(res, safe.signal, json(500, { error: 'internal error' }));
      });
  });
}

const sent = new WeakSet<HttpResponse>();
function send(res: HttpResponse, signal: AbortSignal, r: Reply): void {
  if (signal.aborted || sent.has(res)) return;
  sent.add(res);
  res.cork(() => {
    res.writeStatus(STATUS[r.status] ?? String(r.status)).writeHeader('content-type', r.contentType);
    res.writeHeader('cache-control', 'no-store');
    for (const [k, v] of Object.entries(r.headers ?? {})) res.writeHeader(k, v);
    res.end(r.body);
  });
}
