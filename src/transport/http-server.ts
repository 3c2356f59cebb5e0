import uWS from 'uWebSockets.js';
import type { Logger } from '../observability/logger.js';

export type HttpApp = uWS.TemplatedApp;

export interface HttpServer {
  readonly app: HttpApp;
  readonly port: number;
  /** Stops accepting connections (uWS closes the listen socket only). */
  close(): void;
}

/** Starts one uWebSockets.js app on host:port; port 0 picks a free one. */
export function listen(app: HttpApp, host: string, port: number, log: Logger): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    app.listen(host, port, (token) => {
      if (!token) {
        reject(new Error(`cannot listen on ${host}:${port}`));
        return;
      }
      const bound = uWS.us_socket_local_port(token);
      log.info({ host, port: bound }, 'listening');
      resolve({
        app,
        port: bound,
        close: () => uWS.us_listen_socket_close(token),
      });
    });
  });
}

export class HttpBodyError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * Reads a request body of at most `limit` bytes. Registers `onAborted` at once, so
 * call it synchronously from the handler; the chunks are copied because uWS reuses them.
 * Rejects with HttpBodyError(413) when too large, and when the client aborts.
 */
export function readBody(res: uWS.HttpResponse, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    res.onAborted(() => {
      done = true;
      reject(new HttpBodyError(499, 'client aborted'));
    });
    res.onData((chunk, isLast) => {
      if (done) return;
      size += chunk.byteLength;
      if (size > limit) {
        done = true;
        reject(new HttpBodyError(413, `body larger than ${limit} bytes`));
        return;
      }
      chunks.push(Buffer.from(chunk.slice(0)));
      if (isLast) {
        done = true;
        resolve(Buffer.concat(chunks));
      }
    });
  });
}
