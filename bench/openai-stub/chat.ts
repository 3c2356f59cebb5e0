// POST /v1/chat/completions for the stub: scripted responses (content and/or tool calls), streamed as SSE
// or returned whole, with configurable delays and failure injection.
import type { ServerResponse } from 'node:http';
import type { OpenAIStub } from './server.js';
import { sendJson } from './server.js';

export interface ScriptedToolCall {
  name: string;
  arguments: Record<string, unknown> | string;
  id?: string;
}

export interface ScriptedResponse {
  content?: string;
  toolCalls?: ScriptedToolCall[];
  /** http500: error response; stall: headers then silence; drop: close the stream after `dropAfterChunks` chunks. */
  failure?: 'http500' | 'stall' | 'drop';
  dropAfterChunks?: number;
  ttftMs?: number;
  perTokenMs?: number;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content?: string | null;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  tools?: { type: 'function'; function: { name: string; description?: string; parameters?: unknown } }[];
  [k: string]: unknown;
}

/** Decides the response to one request; `index` counts requests since the stub started. */
export type ChatScript = (req: ChatRequest, index: number) => ScriptedResponse | Promise<ScriptedResponse>;

export interface ChatStubOptions {
  script: ChatScript;
  /** Default delays (ms) when a response does not set its own. */
  ttftMs?: number;
  perTokenMs?: number;
}

/** A script that answers requests in order from a queue; an exhausted queue answers HTTP 500. */
export function scriptedQueue(responses: ScriptedResponse[]): ChatScript {
  const queue = [...responses];
  return () => queue.shift() ?? { failure: 'http500' };
}

const sleep = (ms: number): Promise<void> => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

/** Splits text into word-ish tokens that keep their spaces, like a real tokenizer's stream. */
export function tokens(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

export function registerChatRoutes(stub: OpenAIStub, opts: ChatStubOptions): void {
  let index = 0;
  stub.route('POST', '/v1/chat/completions', async (_req, _body, res) => {
    const req = stub.requests[stub.requests.length - 1]?.body as ChatRequest | null;
    if (!req || !Array.isArray(req.messages)) {
      sendJson(res, 400, { error: { message: 'messages is required', type: 'invalid_request_error' } });
      return;
    }
    const r = await opts.script(req, index++);
    const ttft = r.ttftMs ?? opts.ttftMs ?? 0;
    const perToken = r.perTokenMs ?? opts.perTokenMs ?? 0;
    if (r.failure === 'http500') {
      await sleep(ttft);
      sendJson(res, 500, { error: { message: 'injected failure', type: 'server_error' } });
      return;
    }
    const id = `chatcmpl-stub-${index}`;
    const created = Math.floor(Date.now() / 1000);
    const toolCalls = (r.toolCalls ?? []).map((t, i) => ({
      id: t.id ?? `call_${index}_${i}`,
      type: 'function' as const,
      function: { name: t.name, arguments: typeof t.arguments === 'string' ? t.arguments : JSON.stringify(t.arguments) },
    }));
    const finish = toolCalls.length ? 'tool_calls' : 'stop';
    if (!req.stream) {
      await sleep(ttft);
      if (r.failure === 'stall') return; // never answers; the client's timeout must fire
      sendJson(res, 200, {
        id, object: 'chat.completion', created, model: req.model,
        choices: [{ index: 0, finish_reason: finish, message: { role: 'assistant', content: r.content ?? null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) } }],
        usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
      });
      return;
    }
    await streamSse(res, { id, created, model: req.model, content: r.content ?? '', toolCalls, finish, ttft, perToken, failure: r.failure, dropAfter: r.dropAfterChunks ?? 2 });
  });
}

interface StreamPlan {
  id: string; created: number; model: string; content: string;
  toolCalls: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  finish: string; ttft: number; perToken: number; failure: ScriptedResponse['failure']; dropAfter: number;
}

async function streamSse(res: ServerResponse, p: StreamPlan): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
  if (p.failure === 'stall') return; // headers only, then silence
  await sleep(p.ttft);
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
    `data: ${JSON.stringify({ id: p.id, object: 'chat.completion.chunk', created: p.created, model: p.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const pieces: string[] = [chunk({ role: 'assistant', content: '' })];
  for (const t of tokens(p.content)) pieces.push(chunk({ content: t }));
  p.toolCalls.forEach((tc, i) => {
    pieces.push(chunk({ tool_calls: [{ index: i, id: tc.id, type: 'function', function: { name: tc.function.name, arguments: '' } }] }));
    const args = tc.function.arguments;
    const half = Math.ceil(args.length / 2);
    for (const part of [args.slice(0, half), args.slice(half)]) if (part) pieces.push(chunk({ tool_calls: [{ index: i, function: { arguments: part } }] }));
  });
  pieces.push(chunk({}, p.finish));
  let sent = 0;
  for (const piece of pieces) {
    if (p.failure === 'drop' && sent >= p.dropAfter) {
      res.destroy(); // the connection drops mid-stream
      return;
    }
    if (res.destroyed) return;
    res.write(piece);
    sent++;
    if (sent > 1) await sleep(p.perToken);
  }
  res.end('data: [DONE]\n\n');
}
