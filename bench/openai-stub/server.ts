// A local OpenAI-compatible HTTP server for tests and benchmarks (node:http, port 0 by default).
// Routes are registered per family: chat completions in chat.ts, transcription and speech in audio.ts.
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerChatRoutes, type ChatStubOptions } from './chat.js';
import { registerAudioRoutes, type AudioStubOptions } from './audio.js';

export type RouteHandler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void | Promise<void>;

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  at: number;
}

export interface OpenAIStub {
  /** Base URL to give the openai client, e.g. http://127.0.0.1:41234/v1 */
  readonly baseURL: string;
  readonly port: number;
  /** Every request received, in order (JSON bodies parsed). */
  readonly requests: RecordedRequest[];
  route(method: string, path: string, handler: RouteHandler): void;
  close(): Promise<void>;
}

export interface OpenAIStubOptions {
  host?: string;
  port?: number;
  chat?: ChatStubOptions;
  audio?: AudioStubOptions;
  maxBodyBytes?: number;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startOpenAIStub(opts: OpenAIStubOptions = {}): Promise<OpenAIStub> {
  const routes = new Map<string, RouteHandler>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const limit = opts.maxBodyBytes ?? 25 * 1024 * 1024;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        sendJson(res, 413, { error: { message: 'body too large', type: 'invalid_request_error' } });
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      let parsed: unknown = null;
      if ((req.headers['content-type'] ?? '').includes('application/json') && body.length) {
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch {
          sendJson(res, 400, { error: { message: 'invalid JSON body', type: 'invalid_request_error' } });
          return;
        }
      }
      requests.push({ method: req.method ?? 'GET', path, body: parsed, at: Date.now() });
      const handler = routes.get(`${req.method} ${path}`);
      if (!handler) {
        sendJson(res, 404, { error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } });
        return;
      }
      Promise.resolve(handler(req, body, res)).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: { message: String(err), type: 'server_error' } });
        else res.destroy();
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const stub: OpenAIStub = {
    baseURL: `http://${opts.host ?? '127.0.0.1'}:${port}/v1`,
    port,
    requests,
    route: (method, path, handler) => void routes.set(`${method.toUpperCase()} ${path}`, handler),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  if (opts.chat) registerChatRoutes(stub, opts.chat);
  if (opts.audio) registerAudioRoutes(stub, opts.audio);
  return stub;
}
