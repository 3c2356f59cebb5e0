// GET /api/v1/calls/{id} behind API keys: a tenant key reads only its own tenant's calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import uWS from 'uWebSockets.js';
import { pino } from 'pino';
import { loadTenants } from '../../src/agent/tenant/loader.js';
import { openStore, type CallStore } from '../../src/records/store.js';
import { registerConversationApi } from '../../src/api/conversation-api.js';
import { listen, type HttpServer } from '../../src/transport/http-server.js';
import { AdminStore } from '../../src/admin/admin-store.js';
import { mayReadTenant, principalResolver } from '../../src/admin/api-principal.js';

const log = pino({ level: 'silent' });
const OPERATOR_KEY = 'op-bootstrap-key-0123456789abcdef';
let server: HttpServer;
let store: CallStore;
let base: string;
let keys: { demo: string; lakeside: string };

beforeAll(async () => {
  store = openStore(':memory:');
  const admin = new AdminStore(store.database);
  keys = { demo: admin.createApiKey('tenant', 'demo').key, lakeside: admin.createApiKey('tenant', 'lakeside').key };
  const resolve = principalResolver(admin, [OPERATOR_KEY]);
  const app = uWS.App();
  registerConversationApi(app, {
    tenants: loadTenants('config/tenants'), store, log,
    authorizeCallRead: (authorization, tenantId) => mayReadTenant(resolve(authorization), tenantId),
  });
  server = await listen(app, '127.0.0.1', 0, log);
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(() => {
  server.close();
  store.close();
});

async function demoCallId(): Promise<string> {
  const r = await fetch(`${base}/api/v1/tenants/demo/conversations`, { method: 'POST', body: JSON.stringify({ language: 'en' }) });
  const { conversationId } = await r.json() as { conversationId: string };
  await fetch(`${base}/api/v1/conversations/${conversationId}/end`, { method: 'POST' });
  return conversationId;
}

const read = (id: string, key?: string) =>
  fetch(`${base}/api/v1/calls/${id}`, key ? { headers: { authorization: `Bearer ${key}` } } : {});

describe('GET /api/v1/calls/{id} with key checks', () => {
  it('refuses a request without a key', async () => {
    const id = await demoCallId();
    expect((await read(id)).status).toBe(401);
  });

  it('answers another tenant\'s key exactly like an unknown call', async () => {
    const id = await demoCallId();
    const other = await read(id, keys.lakeside);
    const missing = await read('no-such-call', keys.lakeside);
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(JSON.stringify(await other.json())).not.toContain('demo');
  });

  it('lets the tenant\'s own key and an operator key read the call', async () => {
    const id = await demoCallId();
    for (const key of [keys.demo, OPERATOR_KEY]) {
      const r = await read(id, key);
      expect(r.status).toBe(200);
      expect(await r.json()).toMatchObject({ id, tenantId: 'demo', summary: { callId: id } });
    }
  });

  it('refuses a forged key', async () => {
    const id = await demoCallId();
    expect((await read(id, `${keys.demo}x`)).status).toBe(404);
  });
});
