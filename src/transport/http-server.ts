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
