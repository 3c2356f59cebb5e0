// CRM adapters against local servers that check requests as Jobber's GraphQL API and Housecall
// Pro's REST API document them (see docs/delivery.md for the shapes and assumptions).
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import { enqueueDeliveries, listDeliveries } from '../../src/delivery/outbox.js';
import { planTargets, parseNotificationTargets } from '../../src/delivery/targets.js';
import { FakeClock, tempDb, type TempDb } from './support/db.js';
import { startRecordingServer, type RecordedRequest, type Reply, type RecordingServer } from './support/recording-server.js';
import { englishBooking, frenchEmergency } from './support/summaries.js';

const silent = pino({ level: 'silent' });
let t: TempDb;
let srv: RecordingServer;
afterEach(async () => {
  await srv.close();
  t.cleanup();
});

interface GqlCall { op: string; variables: Record<string, any>; headers: RecordedRequest['headers'] }

function gql(req: RecordedRequest): GqlCall {
  const body = JSON.parse(req.body) as { query: string; variables: Record<string, any> };
  const op = /^(?:query|mutation)\s+(\w+)/.exec(body.query.trim())?.[1] ?? '?';
  return { op, variables: body.variables, headers: req.headers };
}

/** A Jobber stand-in: checks headers and input shapes, answers like the documented payloads. */
function jobber(existing: Array<{ id: string; phones: Array<{ number: string }> }>, failures: Record<string, number> = {}) {
  const problems: string[] = [];
  const handler = (req: RecordedRequest): Reply => {
    const c = gql(req);
    if (req.method !== 'POST' || req.url !== '/api/graphql') problems.push(`bad route ${req.method} ${req.url}`);
    if (c.headers.authorization !== 'Bearer jobber-access-token') problems.push('bad auth');
    if (c.headers['x-jobber-graphql-version'] !== '2025-01-20') problems.push('no version header');
    if (c.headers['content-type'] !== 'application/json') problems.push('not json');
    if ((failures[c.op] ?? 0) > 0) { failures[c.op]! -= 1; return { status: 502, body: 'bad gateway' }; }
    switch (c.op) {
      case 'FirstringFindClient':
        return { status: 200, body: { data: { clients: { nodes: existing } } } };
      case 'FirstringClientCreate': {
        const allowed = ['firstName', 'lastName', 'companyName', 'phones', 'emails', 'billingAddress'];
        for (const k of Object.keys(c.variables.input)) if (!allowed.includes(k)) problems.push(`unknown ClientCreateInput field ${k}`);
        return { status: 200, body: { data: { clientCreate: { client: { id: 'Z2lkOi8vSm9iYmVyL0NsaWVudC8x' }, userErrors: [] } } } };
      }
      case 'FirstringRequestCreate':
        for (const k of Object.keys(c.variables.input)) if (!['clientId', 'title', 'propertyId'].includes(k)) problems.push(`unknown RequestCreateInput field ${k}`);
        return { status: 200, body: { data: { requestCreate: { request: { id: 'Z2lkOi8vSm9iYmVyL1JlcXVlc3QvOQ==' }, userErrors: [] } } } };
      case 'FirstringRequestNote':
        return { status: 200, body: { data: { requestCreateNote: { requestNote: { id: 'note1' }, userErrors: [] } } } };
      default:
        problems.push(`unexpected operation ${c.op}`);
        return { status: 200, body: { errors: [{ message: 'unknown operation' }] } };
    }
  };
  return { handler, problems };
}

describe('Jobber adapter', () => {
  it('creates the client when none has the phone, then a request flagged as an emergency, then a note', async () => {
    t = tempDb();
    const fake = jobber([{ id: 'other', phones: [{ number: '(438) 555-0000' }] }]);
    srv = await startRecordingServer(fake.handler);
    const db = t.open();
    const tenant = { crm: { kind: 'jobber', accessToken: 'jobber-access-token', endpoint: `${srv.url}/api/graphql` } };
    enqueueDeliveries(db, frenchEmergency(), planTargets(parseNotificationTargets(tenant)));
    const worker = new DeliveryWorker({ db, tenantTargets: () => tenant, logger: silent });
    expect(await worker.runOnce()).toMatchObject({ sent: 1 });

    expect(fake.problems).toEqual([]);
    const calls = srv.requests.map(gql);
    expect(calls.map((c) => c.op)).toEqual(['FirstringFindClient', 'FirstringClientCreate', 'FirstringRequestCreate', 'FirstringRequestNote']);
    expect(calls[0]!.variables).toEqual({ searchTerm: '5145550123' });
    expect(calls[1]!.variables.input).toEqual({
      firstName: 'Sylvie',
      lastName: 'Côté',
      phones: [{ number: '+15145550123', primary: true, description: 'MAIN' }],
      billingAddress: { street1: '4520 rue Saint-Denis', postalCode: 'H2J 2L3' },
    });
    expect(calls[2]!.variables.input.clientId).toBe('Z2lkOi8vSm9iYmVyL0NsaWVudC8x');
    expect(calls[2]!.variables.input.title).toBe("URGENCE - Plomberie : Un tuyau a éclaté au sous-sol, l'eau coule partout.");
    expect(calls[3]!.variables.requestId).toBe('Z2lkOi8vSm9iYmVyL1JlcXVlc3QvOQ==');
    const note = calls[3]!.variables.input.message as string;
    expect(note).toContain('URGENCE !!!');
    expect(note).toContain('Numéro de rappel : +1 514 555 0123');
    expect(note).toContain('Adresse : 4520 rue Saint-Denis, H2J 2L3');
    expect(note).toContain('firstring appel call-fr-1');
  });

  it('reuses the client found by phone, and a retry after a failed step does not create a second request', async () => {
    t = tempDb();
    const fake = jobber([{ id: 'existing-client', phones: [{ number: '(514) 555-0199' }] }], { FirstringRequestNote: 1 });
    srv = await startRecordingServer(fake.handler);
    const db = t.open();
    const clock = new FakeClock();
    const tenant = { crm: { kind: 'jobber', accessToken: 'jobber-access-token', endpoint: `${srv.url}/api/graphql` } };
    enqueueDeliveries(db, englishBooking(), planTargets(parseNotificationTargets(tenant)), clock.now());
    const worker = new DeliveryWorker({ db, tenantTargets: () => tenant, logger: silent, clock: clock.now, backoff: { baseMs: 100, maxMs: 1000 } });
    expect(await worker.runOnce()).toMatchObject({ retried: 1 });
    expect(listDeliveries(db)[0]!.lastError).toContain('answered 502');
    clock.advance(1000);
    expect(await worker.runOnce()).toMatchObject({ sent: 1 });

    expect(fake.problems).toEqual([]);
    const ops = srv.requests.map((r) => gql(r).op);
    expect(ops).toEqual(['FirstringFindClient', 'FirstringRequestCreate', 'FirstringRequestNote', 'FirstringRequestNote']);
    const create = gql(srv.requests[1]!);
    expect(create.variables.input).toEqual({ clientId: 'existing-client', title: 'Heating & cooling: The furnace makes a loud banging noise when it starts.' });
    const keys = srv.requests.map((r) => r.headers['idempotency-key']);
    expect(keys[2]).toBe(keys[3]);
  });

  it('dead-letters a request Jobber refuses with userErrors', async () => {
    t = tempDb();
    srv = await startRecordingServer((req) => {
      const c = gql(req);
      if (c.op === 'FirstringFindClient') return { status: 200, body: { data: { clients: { nodes: [] } } } };
      return { status: 200, body: { data: { clientCreate: { client: null, userErrors: [{ message: 'First name or company name is required', path: ['input'] }] } } } };
    });
    const db = t.open();
    const tenant = { crm: { kind: 'jobber', accessToken: 'jobber-access-token', endpoint: `${srv.url}/api/graphql` } };
    enqueueDeliveries(db, englishBooking(), planTargets(parseNotificationTargets(tenant)));
    const worker = new DeliveryWorker({ db, tenantTargets: () => tenant, logger: silent });
    expect(await worker.runOnce()).toMatchObject({ dead: 1 });
    expect(listDeliveries(db)[0]!.lastError).toBe('Jobber clientCreate: First name or company name is required');
  });
});

/** A Housecall Pro stand-in with the documented routes; records created objects. */
function housecall(customers: Array<Record<string, any>>) {
  const problems: string[] = [];
  const handler = (req: RecordedRequest): Reply => {
    if (req.headers.authorization !== 'Token hcp-api-key') problems.push('bad auth');
    const url = new URL(req.url, 'http://x');
    const body = req.body ? JSON.parse(req.body) : undefined;
    if (req.method === 'GET' && url.pathname === '/customers') {
      return { status: 200, body: { customers: customers.filter((c) => [c.mobile_number, c.home_number].some((p) => p && p.replace(/\D/g, '').endsWith(url.searchParams.get('q')!))), page: 1 } };
    }
    if (req.method === 'POST' && url.pathname === '/customers') {
      if (!body.first_name && !body.last_name && !body.company) problems.push('customer without a name');
      return { status: 201, body: { id: 'cus_new', ...body, addresses: (body.addresses ?? []).map((a: object, i: number) => ({ id: `adr_${i}`, ...a })) } };
    }
    const addr = /^\/customers\/([^/]+)\/addresses$/.exec(url.pathname);
    if (req.method === 'POST' && addr) return { status: 201, body: { id: 'adr_added', ...body } };
    if (req.method === 'POST' && url.pathname === '/leads') {
      if (!body.customer_id) problems.push('lead without customer_id');
      return { status: 201, body: { id: 'lead_1', ...body } };
    }
    if (req.method === 'POST' && url.pathname === '/jobs') {
      if (!body.customer_id || !body.address_id) problems.push('job needs customer_id and address_id');
      return { status: 201, body: { id: 'job_1', ...body } };
    }
    problems.push(`unexpected ${req.method} ${req.url}`);
    return { status: 404, body: { error: 'not found' } };
  };
  return { handler, problems };
}

describe('Housecall Pro adapter', () => {
  function config(url: string) {
    return { crm: { kind: 'housecallpro', apiKey: 'hcp-api-key', baseUrl: url } };
  }

  it('creates a customer with its service address, then an emergency lead with notes and tags', async () => {
    t = tempDb();
    const fake = housecall([]);
    srv = await startRecordingServer(fake.handler);
    const db = t.open();
    const tenant = config(srv.url);
    enqueueDeliveries(db, frenchEmergency(), planTargets(parseNotificationTargets(tenant)));
    const worker = new DeliveryWorker({ db, tenantTargets: () => tenant, logger: silent });
    expect(await worker.runOnce()).toMatchObject({ sent: 1 });
    expect(fake.problems).toEqual([]);
    expect(srv.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /customers?q=5145550123&page_size=10', 'POST /customers', 'POST /leads']);
    expect(JSON.parse(srv.requests[1]!.body)).toEqual({
      first_name: 'Sylvie', last_name: 'Côté', mobile_number: '5145550123', lead_source: 'firstring', notifications_enabled: false,
      tags: ['firstring', 'emergency'], addresses: [{ type: 'service', street: '4520 rue Saint-Denis', zip: 'H2J 2L3' }],
    });
    const lead = JSON.parse(srv.requests[2]!.body);
    expect(lead).toMatchObject({ customer_id: 'cus_new', address_id: 'adr_0', tags: ['firstring', 'emergency'], lead_source: 'firstring' });
    expect(lead.note).toMatch(/^URGENCE !!!\n/);
    expect(lead.note).toContain("Problème : Un tuyau a éclaté au sous-sol, l'eau coule partout.");
    expect(srv.requests[2]!.headers['content-type']).toBe('application/json');
  });

  it('finds the customer by phone and books a scheduled job at the matching address', async () => {
    t = tempDb();
    const fake = housecall([{ id: 'cus_42', mobile_number: '514-555-0199', addresses: [{ id: 'adr_9', type: 'service', street: '1200 avenue Greene', zip: 'H3Z2A9' }] }]);
    srv = await startRecordingServer(fake.handler);
    const db = t.open();
    const tenant = config(srv.url);
    enqueueDeliveries(db, englishBooking(), planTargets(parseNotificationTargets(tenant)));
    const worker = new DeliveryWorker({ db, tenantTargets: () => tenant, logger: silent });
    expect(await worker.runOnce()).toMatchObject({ sent: 1 });
    expect(fake.problems).toEqual([]);
    expect(srv.requests.map((r) => `${r.method} ${new URL(r.url, 'http://x').pathname}`)).toEqual(['GET /customers', 'POST /jobs']);
    const job = JSON.parse(srv.requests[1]!.body);
    expect(job).toMatchObject({
      customer_id: 'cus_42', address_id: 'adr_9', tags: ['firstring'],
      schedule: { scheduled_start: '2026-12-03T09:00:00-05:00', scheduled_end: '2026-12-03T11:00:00-05:00' },
    });
    expect(job.notes).toContain('Appointment: Dec');
    expect(job.notes).toContain('with Marc');
  });

  it('adds the service address to a known customer who lacks it', async () => {
    t = tempDb();
    const fake = housecall([{ id: 'cus_7', mobile_number: '5145550123', addresses: [] }]);
    srv = await startRecordingServer(fake.handler);
    const db = t.open();
    const tenant = config(srv.url);
    enqueueDeliveries(db, frenchEmergency(), planTargets(parseNotificationTargets(tenant)));
    const worker = new DeliveryWorker({ db, tenantTargets: () => tenant, logger: silent });
    expect(await worker.runOnce()).toMatchObject({ sent: 1 });
    expect(fake.problems).toEqual([]);
    expect(srv.requests.map((r) => `${r.method} ${new URL(r.url, 'http://x').pathname}`)).toEqual(['GET /customers', 'POST /customers/cus_7/addresses', 'POST /leads']);
    expect(JSON.parse(srv.requests[1]!.body)).toEqual({ type: 'service', street: '4520 rue Saint-Denis', zip: 'H2J 2L3' });
    expect(JSON.parse(srv.requests[2]!.body)).toMatchObject({ customer_id: 'cus_7', address_id: 'adr_added' });
  });
});
