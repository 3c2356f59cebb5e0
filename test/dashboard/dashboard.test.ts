// The staff dashboard in real headless Chromium (playwright-core) against a real uWebSockets.js app,
// real SQLite and the real text conversation API: sign in, see a call placed through the API, open it
// (summary, deliveries, latency waterfall), change the opening hours and see the receptionist apply them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import uWS from 'uWebSockets.js';
import { pino } from 'pino';
import { DateTime } from 'luxon';
import { loadTenants } from '../../src/agent/tenant/loader.js';
import { openStore, type CallStore } from '../../src/records/store.js';
import { asyncStore } from '../../src/records/records-store.js';
import { registerConversationApi } from '../../src/api/conversation-api.js';
import { listen, type HttpServer } from '../../src/transport/http-server.js';
import { AdminStore } from '../../src/admin/admin-store.js';
import { TenantDirectory } from '../../src/admin/tenant-directory.js';
import { registerDashboard } from '../../src/dashboard/dashboard-routes.js';
import { listDeliveries } from '../../src/delivery/index.js';

const log = pino({ level: 'silent' });
// Tuesday 10:00 in Montréal: the demo tenant is open (08:00-17:00).
const now = DateTime.fromISO('2026-12-01T10:00', { zone: 'America/Toronto' }).toJSDate();
const PASSWORD = 'correct horse battery staple';
let server: HttpServer;
let store: CallStore;
let directory: TenantDirectory;
let admin: AdminStore;
let base: string;
let browser: BrowserContext;
let page: Page;
const dir = mkdtempSync(join(tmpdir(), 'firstring-dashboard-'));

async function post(path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  return { status: r.status, json: await r.json() };
}

/** A complaint: transferred to the manager during opening hours, a message otherwise. */
async function complaintCall(name: string): Promise<{ id: string; transferTo: string | undefined }> {
  const start = await post('/api/v1/tenants/demo/conversations', { language: 'en', callerNumber: '+15145550123' });
  expect(start.status).toBe(201);
  const id = start.json.conversationId as string;
  let last: any;
  for (const text of ['I want to complain, your technician left a mess and the leak is still there', name, 'yes']) {
    last = await post(`/api/v1/conversations/${id}/turns`, { text });
    expect(last.status).toBe(200);
  }
  await post(`/api/v1/conversations/${id}/end`);
  return { id, transferTo: last.json.transferTo };
}

beforeAll(async () => {
  let d: TenantDirectory | undefined;
  store = openStore(join(dir, 'records.db'), { delivery: { notifications: (id) => d?.get(id)?.notifications } });
  admin = new AdminStore(store.database);
  directory = d = new TenantDirectory(admin, loadTenants('config/tenants').list());
  admin.setStaffPassword('demo', 'office@montroyal.example', PASSWORD);
  const app = uWS.App();
  registerConversationApi(app, { tenants: directory, store, log, clock: () => now });
  registerDashboard(app, {
    directory, admin, records: asyncStore(store), deliveries: (callId) => listDeliveries(store.database, { callId }), log, clock: () => now,
  });
  server = await listen(app, '127.0.0.1', 0, log);
  base = `http://127.0.0.1:${server.port}`;
  browser = await launchChromium(join(dir, 'profile'));
  page = browser.pages()[0] ?? await browser.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('dashboard', () => {
  it('refuses the API without a session and a wrong password', async () => {
    expect((await fetch(`${base}/dashboard/api/calls`)).status).toBe(401);
    const bad = await post('/dashboard/api/login', { tenantId: 'demo', email: 'office@montroyal.example', password: 'wrong password!' });
    expect(bad.status).toBe(401);
    const form = await fetch(`${base}/dashboard/api/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'tenantId=demo' });
    expect(form.status).toBe(415);
  });

  it('signs in, lists today\'s calls, opens one and shows its summary, deliveries and latency waterfall', async () => {
    const call = await complaintCall('Frank Miller');
    expect(call.transferTo).toBe('sip:gerant@montroyal.example');
    // The voice pipeline writes per-turn latency; the text API has none, so give the first agent reply figures.
    const agentTurn = store.getCall(call.id)!.turns.find((t) => t.speaker === 'agent' && t.engine !== null)!;
    store.recordTurnLatency(agentTurn.id, { endOfUtteranceDelayMs: 320, transcriptionDelayMs: 140, llmTtftMs: 410, ttsTtfbMs: 180, endToEndMs: 1080 });
    // Another tenant's call must not show.
    const other = await post('/api/v1/tenants/lakeside/conversations', { language: 'en' });
    await post(`/api/v1/conversations/${other.json.conversationId}/end`);

    await page.goto(`${base}/dashboard`);
    await page.waitForSelector('#login-view:not([hidden])');
    await page.fill('#login-tenant', 'demo');
    await page.fill('#login-email', 'office@montroyal.example');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector(`tr[data-call-id="${call.id}"]`);
    const ids = await page.$$eval('tr.call', (rows) => rows.map((r) => r.getAttribute('data-call-id')));
    expect(ids).toEqual([call.id]);
    expect(await page.textContent(`tr[data-call-id="${call.id}"] .outcome`)).toBe('transferred');
    expect(await page.textContent('#calls-day')).toBe('2026-12-01');

    // Filters: no emergency today; back to all.
    await page.selectOption('#filters select[name=urgency]', 'emergency');
    await page.waitForSelector('#calls-empty:not([hidden])');
    await page.selectOption('#filters select[name=urgency]', '');
    await page.waitForSelector(`tr[data-call-id="${call.id}"]`);

    await page.click(`tr[data-call-id="${call.id}"]`);
    await page.waitForSelector('#call-view:not([hidden]) dd[data-field=Outcome]');
    expect(await page.textContent('dd[data-field=Outcome]')).toBe('transferred');
    expect(await page.textContent('dd[data-field=Caller]')).toBe('Frank Miller');
    expect(await page.textContent('dd[data-field="Callback number"]')).toBe('+15145550123');
    expect(await page.textContent('dd[data-field="Transferred to"]')).toBe('sip:gerant@montroyal.example (requested)');
    expect(await page.textContent('#call-transcript')).toContain('your technician left a mess');
    const delivered = await page.$$eval('tr[data-delivery]', (rows) => rows.map((r) => r.getAttribute('data-delivery')));
    expect(delivered).toEqual(listDeliveries(store.database, { callId: call.id }).map((x) => x.targetKind));
    expect(delivered.length).toBeGreaterThan(0);
    const bars = await page.$$eval('#latency-chart rect[data-stage]', (rs) => rs.map((r) => [r.getAttribute('data-stage'), Number(r.getAttribute('width'))]));
    expect(bars.map(([s]) => s)).toEqual(['endOfUtteranceDelayMs', 'transcriptionDelayMs', 'llmTtftMs', 'ttsTtfbMs']);
    // Bars are proportional to the figures (410 ms of LLM is wider than 140 ms of transcription).
    expect(bars[2]![1] as number).toBeGreaterThan(bars[1]![1] as number);
    expect(await page.$$('#latency-chart line[data-stage=endToEndMs]')).toHaveLength(1);
  });

  it('edits the opening hours; a bad value is refused with the config file\'s message, a good one applies live', async () => {
    await page.goto(`${base}/dashboard#/settings`);
    await page.waitForSelector('#settings-view:not([hidden]) #hours-tuesday');
    expect(await page.inputValue('#hours-tuesday')).toBe('08:00-17:00');

    await page.fill('#hours-tuesday', '17:00-13:00');
    await page.click('#settings-form button[type=submit]');
    await page.waitForSelector('#settings-result.error');
    expect(await page.textContent('#settings-result')).toContain('open must be before close');
    expect(directory.get('demo')!.hours.tuesday).toEqual([{ open: '08:00', close: '17:00' }]);

    // Tuesday afternoons only: at 10:00 the office is now closed.
    await page.fill('#hours-tuesday', '13:00-17:00');
    await page.click('#settings-form button[type=submit]');
    await page.waitForSelector('#settings-result.ok');
    expect(directory.get('demo')!.hours.tuesday).toEqual([{ open: '13:00', close: '17:00' }]);

    const after = await complaintCall('George King');
    expect(after.transferTo).toBeUndefined();
    expect(store.getCall(after.id)!.outcome).toBe('message_taken');

    // The change survives a restart (stored with the tenant), and the page shows it.
    const reopened = new TenantDirectory(admin, loadTenants('config/tenants').list());
    expect(reopened.get('demo')!.hours.tuesday).toEqual([{ open: '13:00', close: '17:00' }]);
    await page.reload();
    await page.waitForSelector('#settings-view:not([hidden]) #hours-tuesday');
    expect(await page.inputValue('#hours-tuesday')).toBe('13:00-17:00');
  });

  it('signs in with a one-time magic link', async () => {
    await browser.clearCookies();
    const p = await browser.newPage();
    const token = admin.createMagicLink('demo', 'tech@montroyal.example');
    await p.goto(`${base}/dashboard/magic?token=${token}`);
    await p.waitForSelector('#calls-view:not([hidden])');
    expect(await p.textContent('#tenant-name')).toContain('tech@montroyal.example');
    await browser.clearCookies();
    await p.goto(`${base}/dashboard/magic?token=${token}`);
    expect(await p.textContent('body')).toContain('invalid, used or expired');
    await p.close();
  });
});
