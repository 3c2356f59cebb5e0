// The text conversation API on a real uWebSockets.js app (port 0), driven with fetch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import uWS from 'uWebSockets.js';
import { DateTime } from 'luxon';
import { pino } from 'pino';
import { loadTenants } from '../../src/agent/tenant/loader.js';
import { openStore, type CallStore } from '../../src/records/store.js';
import { registerConversationApi } from '../../src/api/conversation-api.js';
import { listen, type HttpServer } from '../../src/transport/http-server.js';
import { CallSummarySchema } from '../../src/agent/summary-schema.js';

let server: HttpServer;
let api: ReturnType<typeof registerConversationApi>;
let store: CallStore;
let base: string;
const log = pino({ level: 'silent' });
const at = DateTime.fromISO('2026-12-01T10:00', { zone: 'America/Toronto' }).toJSDate();

async function post(path: string, body?: unknown, raw?: string): Promise<{ status: number; json: any }> {
  const r = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
  return { status: r.status, json: await r.json() };
}

beforeAll(async () => {
  store = openStore(':memory:');
  const app = uWS.App();
  api = registerConversationApi(app, { tenants: loadTenants('config/tenants'), store, log, clock: () => at });
  server = await listen(app, '127.0.0.1', 0, log);
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(() => {
  server.close();
  store.close();
});

describe('conversation API', () => {
  it('runs a French emergency conversation end to end and stores the summary', async () => {
    const start = await post('/api/v1/tenants/demo/conversations', { language: 'auto', callerNumber: '+15145550123' });
    expect(start.status).toBe(201);
    expect(start.json.reply.text).toContain('Mont-Royal');
    const id = start.json.conversationId as string;

    const t1 = await post(`/api/v1/conversations/${id}/turns`, { text: "Ça sent le gaz dans ma cuisine" });
    expect(t1.status).toBe(200);
    expect(t1.json.reply.language).toBe('fr');
    expect(t1.json.reply.text.startsWith('Pour votre sécurité')).toBe(true);
    expect(t1.json.state).toMatchObject({ intent: 'emergency', urgency: 'emergency', trade: 'hvac', outcome: 'escalated', ended: false });

    const t2 = await post(`/api/v1/conversations/${id}/turns`, { text: 'Je m’appelle Sylvie Côté' });
    expect(t2.json.state.slots.name).toBe('Sylvie Côté');
    expect(t2.json.reply.text).toContain('514 555 0123');

    const end = await post(`/api/v1/conversations/${id}/end`);
    expect(end.status).toBe(200);
    expect(CallSummarySchema.safeParse(end.json).success).toBe(true);
    expect(end.json).toMatchObject({ callId: id, tenantId: 'demo', channel: 'text', language: 'fr', outcome: 'escalated', caller: { name: 'Sylvie Côté', phone: '+15145550123' } });

    const rec = await fetch(`${base}/api/v1/calls/${id}`);
    expect(rec.status).toBe(200);
    const body = await rec.json() as { status: string; summary: unknown; turns: { speaker: string; text: string }[] };
    expect(body.status).toBe('ended');
    expect(body.summary).toEqual(end.json);
    expect(body.turns.map((t) => t.speaker)).toEqual(['agent', 'caller', 'agent', 'caller', 'agent']);

    const again = await post(`/api/v1/conversations/${id}/turns`, { text: 'allo?' });
    expect(again.status).toBe(404);
  });

  it('ends the conversation itself when the agent closes and keeps answering /end with the summary', async () => {
    const start = await post('/api/v1/tenants/demo/conversations', { language: 'en' });
    const id = start.json.conversationId as string;
    const t1 = await post(`/api/v1/conversations/${id}/turns`, { text: 'What are your hours?' });
    expect(t1.json.state.outcome).toBe('info_provided');
    const t2 = await post(`/api/v1/conversations/${id}/turns`, { text: "no thanks, that's all" });
    expect(t2.json.state.ended).toBe(true);
    const end = await post(`/api/v1/conversations/${id}/end`);
    expect(end.status).toBe(200);
    expect(end.json.outcome).toBe('info_provided');
  });

  it('answers 400 with a clear error for bad input', async () => {
    const badJson = await post('/api/v1/tenants/demo/conversations', undefined, '{not json');
    expect(badJson.status).toBe(400);
    expect(badJson.json.error).toMatch(/not valid JSON/);
    const badLang = await post('/api/v1/tenants/demo/conversations', { language: 'de' });
    expect(badLang.status).toBe(400);
    expect(badLang.json.error).toMatch(/^language:/);
    const badPhone = await post('/api/v1/tenants/demo/conversations', { callerNumber: '555-0123' });
    expect(badPhone.json.error).toMatch(/callerNumber: expected an E\.164/);
    const start = await post('/api/v1/tenants/demo/conversations', {});
    const empty = await post(`/api/v1/conversations/${start.json.conversationId}/turns`, { text: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.json.error).toMatch(/text must not be empty/);
    const extra = await post(`/api/v1/conversations/${start.json.conversationId}/turns`, { text: 'hi', foo: 1 });
    expect(extra.status).toBe(400);
  });

  it('ends open conversations as abandoned on shutdown, keeping what was said', async () => {
    const start = await post('/api/v1/tenants/demo/conversations', { language: 'en' });
    const id = start.json.conversationId as string;
    await post(`/api/v1/conversations/${id}/turns`, { text: 'My toilet is clogged' });
    await api.closeAll();
    const rec = await (await fetch(`${base}/api/v1/calls/${id}`)).json() as { status: string; summary: { outcome: string; trade: string; transcript: unknown[] } };
    expect(rec.status).toBe('ended');
    expect(rec.summary).toMatchObject({ outcome: 'abandoned', trade: 'plumbing' });
    expect(rec.summary.transcript).toHaveLength(3);
  });

  it('refuses oversized bodies with 413 and unknown ids with 404', async () => {
    const big = await post('/api/v1/tenants/demo/conversations', undefined, JSON.stringify({ language: 'en', pad: 'x'.repeat(40_000) }));
    expect(big.status).toBe(413);
    expect((await post('/api/v1/tenants/nope/conversations', {})).status).toBe(404);
    expect((await post('/api/v1/conversations/nope/turns', { text: 'hi' })).status).toBe(404);
    expect((await fetch(`${base}/api/v1/calls/nope`)).status).toBe(404);
  });
});
