// LLM engine against the OpenAI-compatible stub: rules enforced whatever the model says, and every model
// failure (stall, HTTP 500, dropped stream) answered by the rules engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { startOpenAIStub, type OpenAIStub } from '../../bench/openai-stub/server.js';
import { scriptedQueue, type ChatScript, type ScriptedResponse } from '../../bench/openai-stub/chat.js';
import { createLlmEngine } from '../../src/agent/llm/llm-engine.js';
import { createDialogSession, type DialogSession } from '../../src/agent/session.js';
import { openStore, type CallStore } from '../../src/records/store.js';
import { asyncStore } from '../../src/records/records-store.js';
import type { ReplyChunk } from '../../src/agent/types.js';
import { loadTestTenant } from './support/scenarios.js';

let stub: OpenAIStub;
let script: ChatScript = () => ({ failure: 'http500' });
const tenant = loadTestTenant('demo');
const at = DateTime.fromISO('2026-12-01T10:00', { zone: tenant.timeZone }).toJSDate();

beforeAll(async () => {
  stub = await startOpenAIStub({ chat: { script: (r, i) => script(r, i) } });
});
afterAll(() => stub.close());

function session(store: CallStore, engine: 'llm' | 'rules' = 'llm'): DialogSession {
  return createDialogSession({
    tenant, channel: 'text', callerNumber: '+15145550123', language: 'auto', store: asyncStore(store), clock: () => at,
    ...(engine === 'llm' ? { engine: createLlmEngine({ apiKey: 'k', baseURL: stub.baseURL, model: 'm', firstTokenTimeoutMs: 400, stallTimeoutMs: 400 }) } : {}),
  });
}

async function turn(s: DialogSession, text: string): Promise<{ chunks: ReplyChunk[]; final: Extract<ReplyChunk, { type: 'final' }> }> {
  const chunks: ReplyChunk[] = [];
  for await (const c of s.respond(text)) chunks.push(c);
  const final = chunks.at(-1);
  if (final?.type !== 'final') throw new Error('no final chunk');
  return { chunks, final };
}

function toolResults(fromRequest: number): Record<string, any>[] {
  return stub.requests.slice(fromRequest).flatMap((r) => ((r.body as { messages: { role: string; content: string }[] }).messages ?? []))
    .filter((m) => m.role === 'tool').map((m) => JSON.parse(m.content) as Record<string, any>);
}

describe('LLM engine: rules enforced in code', () => {
  it('refuses to book an out-of-area address the model tries to book', async () => {
    const store = openStore(':memory:');
    const s = session(store);
    s.greeting();
    const n = stub.requests.length;
    script = scriptedQueue([
      { toolCalls: [
        { name: 'record_details', arguments: { intent: 'service_request', trade: 'plumbing', name: 'Amy Stone', phone_confirmed: true, address: '25 boulevard de la Concorde', postal_code: 'H7G 2E2', preferred_time: 'tomorrow at 8 am' } },
        { name: 'book_appointment', arguments: { start: '2026-12-02T08:00:00-05:00', end: '2026-12-02T10:00:00-05:00', technician: 'Marc' } },
      ] },
      { content: "Sorry, that address is outside our area." },
    ]);
    const { final } = await turn(s, "My sink leaks. I'm Amy Stone, 25 boulevard de la Concorde, H7G 2E2, book me tomorrow at 8");
    const results = toolResults(n);
    const bookResult = results.find((r) => 'error' in r && String(r.error).includes('book'));
    expect(bookResult?.ok).toBe(false);
    expect(bookResult?.error).toMatch(/outside the service area/);
    expect(final.state.outcome).toBe('out_of_area');
    expect(final.engine).toBe('llm');
    expect(final.actions.some((a) => a.kind === 'book')).toBe(false);
    expect(store.appointments('demo', '2026-12-01T00:00:00Z', '2027-01-01T00:00:00Z')).toEqual([]);
    const summary = await s.end('caller_hangup');
    expect(summary.appointment).toBeUndefined();
    store.close();
  });

  it('refuses a slot outside opening hours even in the service area', async () => {
    const store = openStore(':memory:');
    const s = session(store);
    const n = stub.requests.length;
    script = scriptedQueue([
      { toolCalls: [
        { name: 'record_details', arguments: { trade: 'plumbing', name: 'Bo Li', phone_confirmed: true, address: '1 rue Peel', postal_code: 'H3A 1S2' } },
        { name: 'book_appointment', arguments: { start: '2026-12-06T10:00:00-05:00', end: '2026-12-06T12:00:00-05:00', technician: 'Marc' } },
      ] },
      { content: 'Let me find another time.' },
    ]);
    const { final } = await turn(s, 'Book a plumber Sunday at 10, Bo Li, 1 rue Peel H3A 1S2');
    expect(toolResults(n).some((r) => r.ok === false && /not available/.test(String(r.error)))).toBe(true);
    expect(final.state.outcome).toBeNull();
    store.close();
  });

  it('escalates a gas smell the model ignored, with safety instructions first', async () => {
    const store = openStore(':memory:');
    const s = session(store);
    script = scriptedQueue([{ content: 'Sure, I can book a technician next week.' }]);
    const { chunks, final } = await turn(s, 'I smell gas in my kitchen');
    const first = chunks[0];
    expect(first?.type === 'text' && first.text.startsWith('For your safety: leave the house')).toBe(true);
    expect(final.state).toMatchObject({ intent: 'emergency', urgency: 'emergency', trade: 'hvac', outcome: 'escalated' });
    expect(final.actions).toContainEqual(expect.objectContaining({ kind: 'escalate', emergency: 'gas_smell' }));
    expect(final.text).toMatch(/paged/);
    store.close();
  });

  it('streams the model text token by token', async () => {
    const store = openStore(':memory:');
    const s = session(store);
    script = scriptedQueue([{ content: 'What seems to be the problem today?' }]);
    const { chunks, final } = await turn(s, 'hello there');
    expect(chunks.filter((c) => c.type === 'text').length).toBeGreaterThan(3);
    expect(final.text).toBe('What seems to be the problem today?');
    store.close();
  });
});

describe('LLM engine: failures fall back to the rules engine', () => {
  const failures: [string, ScriptedResponse][] = [
    ['a stalled response (first-token timeout)', { failure: 'stall' }],
    ['HTTP 500', { failure: 'http500' }],
    ['a stream dropped before any text', { content: '', toolCalls: [{ name: 'record_details', arguments: { trade: 'plumbing' } }], failure: 'drop', dropAfterChunks: 1 }],
  ];
  for (const [what, response] of failures) {
    it(`answers with the rules engine on ${what}`, async () => {
      const store = openStore(':memory:');
      const llm = session(store);
      const rules = session(store, 'rules');
      script = () => response;
      const a = await turn(llm, 'Ma toilette est bouchée');
      const b = await turn(rules, 'Ma toilette est bouchée');
      expect(a.final.engine).toBe('rules');
      expect(a.final.text).toBe(b.final.text);
      expect(a.final.state).toEqual(b.final.state);
      // The conversation goes on with the model once it recovers.
      script = scriptedQueue([{ toolCalls: [{ name: 'record_details', arguments: { details: { scope: 'une seule toilette' } } }] }, { content: 'Merci. Quel est votre nom?' }]);
      const c = await turn(llm, 'juste une toilette');
      expect(c.final.engine).toBe('llm');
      expect(c.final.state.slots.details.scope).toBe('une seule toilette');
      store.close();
    });
  }

  it('completes a turn whose stream dropped mid-sentence with the rules answer', async () => {
    const store = openStore(':memory:');
    const s = session(store);
    script = () => ({ content: 'Okay, I understand that your toilet is', failure: 'drop', dropAfterChunks: 3, perTokenMs: 20 });
    const { chunks, final } = await turn(s, 'My toilet is clogged');
    expect(chunks.filter((c) => c.type === 'text').length).toBeGreaterThan(1);
    expect(final.engine).toBe('rules');
    expect(final.state).toMatchObject({ intent: 'service_request', trade: 'plumbing' });
    expect(final.text).toMatch(/^Okay, I Okay, I can help with that\. Is it just one fixture, or the whole house\?$/);
    store.close();
  });

  it('an aborted LLM turn (after its tool calls ran) leaves no trace', async () => {
    const store = openStore(':memory:');
    const s = session(store);
    script = scriptedQueue([
      { toolCalls: [{ name: 'record_details', arguments: { intent: 'emergency', emergency: 'burst_pipe', name: 'Al' } }, { name: 'escalate_emergency', arguments: { reason: 'burst_pipe' } }] },
      { content: 'I have paged our technician on call, who will call you back shortly.', perTokenMs: 30 },
    ]);
    const ac = new AbortController();
    let texts = 0;
    for await (const c of s.respond('A pipe burst, this is Al', { signal: ac.signal })) {
      if (c.type === 'text' && ++texts === 3) ac.abort();
    }
    expect(texts).toBe(3);
    expect(s.state()).toMatchObject({ intent: null, urgency: 'routine', outcome: null, slots: expect.objectContaining({ name: null }) });
    expect(store.getCall(s.callId)!.turns).toEqual([]);
    store.close();
  });
});
