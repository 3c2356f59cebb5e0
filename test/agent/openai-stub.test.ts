// The OpenAI-compatible stub, spoken to by the real openai client: non-streaming and streaming responses,
// tool calls, delays and failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startOpenAIStub, type OpenAIStub } from '../../bench/openai-stub/server.js';
import { scriptedQueue, type ChatScript } from '../../bench/openai-stub/chat.js';

let stub: OpenAIStub;
let script: ChatScript = scriptedQueue([]);
let client: OpenAI;

beforeAll(async () => {
  stub = await startOpenAIStub({ chat: { script: (r, i) => script(r, i) } });
  client = new OpenAI({ apiKey: 'k', baseURL: stub.baseURL, maxRetries: 0 });
});
afterAll(() => stub.close());

describe('openai stub', () => {
  it('answers non-streaming requests with content and tool calls', async () => {
    script = scriptedQueue([{ content: 'hello', toolCalls: [{ name: 'end_call', arguments: { a: 1 } }] }]);
    const r = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.choices[0]?.message.content).toBe('hello');
    expect(r.choices[0]?.finish_reason).toBe('tool_calls');
    const call = r.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('end_call');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ a: 1 });
    expect(stub.requests.at(-1)).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
  });

  it('streams tokens and tool-call argument fragments the client reassembles', async () => {
    script = scriptedQueue([{ content: 'one two three', toolCalls: [{ name: 'record_details', arguments: { name: 'Jean Tremblay' } }] }]);
    const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const parts: string[] = [];
    let args = '';
    for await (const c of stream) {
      const d = c.choices[0]?.delta;
      if (d?.content) parts.push(d.content);
      for (const t of d?.tool_calls ?? []) args += t.function?.arguments ?? '';
    }
    expect(parts).toEqual(['one', ' two', ' three']);
    expect(JSON.parse(args)).toEqual({ name: 'Jean Tremblay' });
  });

  it('injects HTTP 500, and a rule function sees the request', async () => {
    script = scriptedQueue([{ failure: 'http500' }]);
    await expect(client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 500 });
    script = (req) => ({ content: `you said ${String(req.messages.at(-1)?.content)}` });
    const r = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'ping' }] });
    expect(r.choices[0]?.message.content).toBe('you said ping');
  });

  it('stalls until the client gives up, and answers 404 for unknown routes', async () => {
    script = scriptedQueue([{ failure: 'stall' }]);
    await expect(client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { timeout: 300 })).rejects.toThrow(/timed out/i);
    const r = await fetch(`${stub.baseURL}/audio/speech`, { method: 'POST' });
    expect(r.status).toBe(404);
  });
});
