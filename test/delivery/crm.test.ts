// CRM adapters against local stand-ins that check requests as Jobber's GraphQL schema and Housecall
// Pro's OpenAPI document describe them (docs/crm-adapters.md: sources, shapes, what is unverified).
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import { enqueueDeliveries, listDeliveries } from '../../src/delivery/outbox.js';
import { planTargets, parseNotificationTargets } from '../../src/delivery/targets.js';
import { JOBBER_REQUEST_CREATE } from '../../src/delivery/adapters/jobber.js';
import { FakeClock, tempDb, type TempDb } from './support/db.js';
import { startRecordingServer, type RecordingServer } from './support/recording-server.js';
import { jobberStandIn } from './support/jobber-server.js';
import { housecallStandIn } from './support/housecall-server.js';
import { englishBooking, frenchEmergency } from './support/summaries.js';

const silent = pino({ level: 'silent' });
const TOKEN = 'jobber-access-token';
let t: TempDb;
let srv: RecordingServer;
afterEach(async () => {
  await srv.close();
  t.cleanup();
});

const bodyOf = (i: number) => JSON.parse(srv.requests[i]!.body) as { query: string; variables: Record<string, any> };
const jobberTenant = (token = TOKEN) => ({ crm: { kind: 'jobber', accessToken: token, endpoint: `${srv.url}/api/graphql` } });

describe('Jobber adapter', () => {
  it('creates the client with its property, then a request on that property (emergency in the title), then a note', async () => {
    t = tempDb();
    const fake = jobberStandIn({ accessToken: TOKEN, clients: [{ id: 'other', firstName: 'Ann', lastName: 'Roy', phones: ['(438) 555-0000'], properties: [] }] });
    srv = await startRecordingServer(fake.handler);
    const db = t.open();
    const tenant = jobberTenant();
    enqueueDeliveries(db, frenchEmergency(), planTargets(parseNotificationTargets(tenant)));
    const worker = new DeliveryWorker({ db, tenantTargets: () => tenant, logger: silent });
    expect(await worker.runOnce()).toMatchObject({ sent: 1 });

    expect(fake.problems).toEqual([]);
    expect(fake.served).toEqual(['clients', 'clientCreate', 'requestSettings', 'requestCreate', 'requestCreateNote']);
    expect(bodyOf(0).variables).toEqual({ searchTerm: '5145550123' });
    expect(bodyOf(1).variables.input).toEqual({
      firstName: 'Sylvie',
      lastName: 'Côté',
      phones: [{ number: '+15145550123', primary: true, description: 'MAIN' }],
      properties: [{ address: { street1: '4520 rue Saint-Denis', postalCode: 'H2J 2L3' } }],
    });
    const created = fake.clients[1]!;
    expect(created.properties).toEqual([{ id: expect.any(String), street1: '4520 rue Saint-Denis', postalCode: 'H2J 2L3' }]);
    expect(fake.requests).toEqual([{
      id: expect.any(String),
      clientId: created.id,
      propertyId: created.properties[0]!.id,
      formId: 'Z2lkOi8vSm9iYmVyL0Zvcm0vMQ==',
      title: "URGENCE - Plomberie : Un tuyau a éclaté au sous-sol, l'eau coule partout.",
    }]);
    expect(fake.notes).toHaveLength(1);
    const note = fake.notes[0]!;
    expect(note.requestId).toBe(fake.requests[0]!.id);
    expect(note.message).toMatch(/^URGENCE !!!\n/);
    expect(note.message).toContain('Numéro de rappel : +1 514 555 0123');
    expect(note.message).toContain('Adresse : 4520 rue Saint-Denis, H2J 2L3');
    expect(note.message).toContain('firstring appel call-fr-1');
  });

  it('reuses the client found by phone and its property at the service address; retries after throttling and a failed note create no second request', async () => {
    t = tempDb();
    const fake = jobberStandIn({
      accessToken: TOKEN,
      clients: [{
        id: 'Y2xpZW50LzQy', firstName: 'John', lastName: 'Smith', phones: ['(514) 555-0199'],
        properties: [{ id: 'cHJvcGVydHkvMQ==', street1: '99 Other Street', postalCode: 'H1A 1A1' }, { id: 'cHJvcGVydHkvMg==', street1: '1200 avenue Greene', postalCode: 'H3Z2A9' }],
      }],
      throttle: { requestCreate: 1 },
      failures: { requestCreateNote: 1 },
    });
    srv = await startRecordingServer(fake.handler);
    const db = t.open();
    const clock = new FakeClock();
    const tenant = jobberTenant();
    enqueueDeliveries(db, englishBooking(), planTargets(parseNotificationTargets(tenant)), clock.now());
    const worker = new DeliveryWorker({ db, tenantTargets: () => tenant, logger: silent, clock: clock.now, backoff: { baseMs: 100, maxMs: 1000 } });
    expect(await worker.runOnce()).toMatchObject({ retried: 1 });
    expect(listDeliveries(db)[0]!.lastError).toBe('Jobber requestCreate: Throttled');
    clock.advance(1000);
    expect(await worker.runOnce()).toMatchObject({ retried: 1 });
    expect(listDeliveries(db)[0]!.lastError).toContain('answered 502');
    clock.advance(1000);
    expect(await worker.runOnce()).toMatchObject({ sent: 1 });

    expect(fake.problems).toEqual([]);
    expect(fake.served).toEqual(['clients', 'requestSettings', 'requestCreate', 'requestCreateNote']);
    expect(srv.requests.filter((r) => r.body.includes('clients(')).length).toBe(1);
    expect(fake.requests).toEqual([{
      id: expect.any(String), clientId: 'Y2xpZW50LzQy', propertyId: 'cHJvcGVydHkvMg==', formId: 'Z2lkOi8vSm9iYmVyL0Zvcm0vMQ==',
      title: 'Heating & cooling: The furnace makes a loud banging noise when it starts.',
    }]);
    expect(fake.notes).toHaveLength(1);
    const noteKeys = srv.requests.filter((r) => r.body.includes('requestCreateNote(')).map((r) => r.headers['idempotency-key']);
    expect(noteKeys).toHaveLength(2);
    expect(noteKeys[0]).toBe(noteKeys[1]);
  });

  it('dead-letters a client Jobber refuses with userErrors', async () => {
    t = tempDb();
    const fake = jobberStandIn({ accessToken: TOKEN, refuse: { clientCreate: 'Phone number is invalid' } });
    srv = await startRecordingServer(fake.handler);
    const db = t.open();
    const tenant = jobberTenant();
    enqueueDeliveries(db, englishBooking(), planTargets(parseNotificationTargets(tenant)));
    const worker = new DeliveryWorker({ db, tenantTargets: () => tenant, logger: silent });
    expect(await worker.runOnce()).toMatchObject({ dead: 1 });
    expect(listDeliveries(db)[0]!.lastError).toBe('Jobber clientCreate: Phone number is invalid');
    expect(fake.requests).toEqual([]);
  });

  it('dead-letters the request, with a clear reason, for an account without a request form', async () => {
    t = tempDb();
    const fake = jobberStandIn({ accessToken: TOKEN, requestFormId: null });
    srv = await startRecordingServer(fake.handler);
    const db = t.open();
    const tenant = jobberTenant();
    enqueueDeliveries(db, englishBooking(), planTargets(parseNotificationTargets(tenant)));
    const worker = new DeliveryWorker({ db, tenantTargets: () => tenant, logger: silent });
    expect(await worker.runOnce()).toMatchObject({ dead: 1 });
    expect(listDeliveries(db)[0]!.lastError).toBe('Jobber requestSettings: the account has no request form');
    expect(fake.problems).toEqual([]);
    expect(fake.requests).toEqual([]);
  });

  it('is refused, as Jobber would refuse it, for a wrong token, a missing version header, an unknown mutation, an unknown input field or a missing required input', async () => {
    t = tempDb();
    const fake = jobberStandIn({ accessToken: TOKEN });
    srv = await startRecordingServer(fake.handler);
    const db = t.open();
    const tenant = jobberTenant('revoked-token');
    enqueueDeliveries(db, englishBooking(), planTargets(parseNotificationTargets(tenant)));
    const worker = new DeliveryWorker({ db, tenantTargets: () => tenant, logger: silent });
    expect(await worker.runOnce()).toMatchObject({ dead: 1 });
    expect(listDeliveries(db)[0]!.lastError).toContain('answered 401');

    const post = async (query: string, variables: object, version: Record<string, string> = { 'x-jobber-graphql-version': '2025-01-20' }) => {
      const res = await fetch(`${srv.url}/api/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...version },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, body: await res.json() as { errors?: Array<{ message: string }> } };
    };
    expect((await post('query { requestSettings { id } }', {}, {})).status).toBe(400);
    const unknownMutation = await post('mutation { requestCreateWithNote(input: { clientId: "x" }) { request { id } } }', {});
    expect(unknownMutation.body.errors?.[0]?.message).toContain('Cannot query field "requestCreateWithNote" on type "Mutation"');
    const unknownInput = await post(JOBBER_REQUEST_CREATE, { input: { clientId: 'x', customFormInput: { formId: 'f' }, notes: 'water everywhere' } });
    expect(unknownInput.body.errors?.[0]?.message).toContain('Field "notes" is not defined by type "RequestCreateInput"');
    // The shape this adapter sent before the schema was checked: no customFormInput.
    const missingForm = await post(JOBBER_REQUEST_CREATE, { input: { clientId: 'x', title: 'Leak' } });
    expect(missingForm.body.errors?.[0]?.message).toContain('Field "customFormInput" of required type "FormSubmissionInput!" was not provided');
    expect(fake.problems).toHaveLength(5);
    expect(fake.problems[0]).toBe('401 invalid bearer token');
  });
});

describe('Housecall Pro adapter', () => {
  const KEY = 'hcp-api-key';
  const config = (url: string, apiKey = KEY) => ({ crm: { kind: 'housecallpro', apiKey, baseUrl: url } });
  const routes = () => srv.requests.map((r) => `${r.method} ${new URL(r.url, 'http://x').pathname}`);

  it('creates a customer with its service address, then an emergency lead at that address with notes and tags', async () => {
    t = tempDb();
    const fake = housecallStandIn({ apiKey: KEY });
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
      tags: ['firstring', 'emergency'], addresses: [{ street: '4520 rue Saint-Denis', zip: 'H2J 2L3' }],
    });
    const customer = fake.customers[0]!;
    expect(fake.leads).toEqual([{
      id: expect.any(String), customer_id: customer.id, address_id: customer.addresses[0]!.id,
      note: expect.stringMatching(/^URGENCE !!!\n/), tags: ['firstring', 'emergency'], lead_source: 'firstring',
    }]);
    expect(fake.leads[0]!.note).toContain("Problème : Un tuyau a éclaté au sous-sol, l'eau coule partout.");
  });

  it('finds the customer by phone and books a scheduled job at the matching address', async () => {
    t = tempDb();
    const fake = housecallStandIn({
      apiKey: KEY,
      customers: [{ id: 'cus_42', first_name: 'John', last_name: 'Smith', mobile_number: '514-555-0199', addresses: [
        { id: 'adr_1', type: 'billing', street: 'PO Box 12', zip: 'H3Z 2A9' },
        { id: 'adr_9', type: 'service', street: '1200 avenue Greene', zip: 'H3Z2A9' },
      ] }],
    });
    srv = await startRecordingServer(fake.handler);
    const db = t.open();
    const tenant = config(srv.url);
    enqueueDeliveries(db, englishBooking(), planTargets(parseNotificationTargets(tenant)));
    const worker = new DeliveryWorker({ db, tenantTargets: () => tenant, logger: silent });
    expect(await worker.runOnce()).toMatchObject({ sent: 1 });

    expect(fake.problems).toEqual([]);
    expect(routes()).toEqual(['GET /customers', 'POST /jobs']);
    expect(fake.jobs).toEqual([{
      id: expect.any(String), customer_id: 'cus_42', address_id: 'adr_9', notes: expect.any(String), tags: ['firstring'], lead_source: 'firstring',
      schedule: { scheduled_start: '2026-12-03T09:00:00-05:00', scheduled_end: '2026-12-03T11:00:00-05:00' },
    }]);
    expect(fake.jobs[0]!.notes).toContain('Appointment: Dec');
    expect(fake.jobs[0]!.notes).toContain('with Marc');
  });

  it('records a booked call at an address the known customer lacks as a lead with that address inline and the appointment in its note', async () => {
    t = tempDb();
    const fake = housecallStandIn({
      apiKey: KEY,
      customers: [{ id: 'cus_7', first_name: 'John', mobile_number: '5145550199', addresses: [{ id: 'adr_old', type: 'service', street: '1 Old Road', zip: 'H1A 1A1' }] }],
    });
    srv = await startRecordingServer(fake.handler);
    const db = t.open();
    const tenant = config(srv.url);
    enqueueDeliveries(db, englishBooking(), planTargets(parseNotificationTargets(tenant)));
    const worker = new DeliveryWorker({ db, tenantTargets: () => tenant, logger: silent });
    expect(await worker.runOnce()).toMatchObject({ sent: 1 });

    expect(fake.problems).toEqual([]);
    expect(routes()).toEqual(['GET /customers', 'POST /leads']);
    expect(fake.jobs).toEqual([]);
    expect(fake.leads).toEqual([{
      id: expect.any(String), customer_id: 'cus_7', address: { street: '1200 Avenue Greene', zip: 'H3Z 2A9' },
      note: expect.stringContaining('Appointment: Dec'), tags: ['firstring'], lead_source: 'firstring',
    }]);
  });

  it('is refused, as Housecall Pro would refuse it, for a wrong key, a job without an address or an address field CustomerCreate does not have', async () => {
    t = tempDb();
    const fake = housecallStandIn({ apiKey: KEY, customers: [{ id: 'cus_1', first_name: 'Ann', mobile_number: '5145550000', addresses: [] }] });
    srv = await startRecordingServer(fake.handler);
    const db = t.open();
    const tenant = config(srv.url, 'revoked-key');
    enqueueDeliveries(db, englishBooking(), planTargets(parseNotificationTargets(tenant)));
    const worker = new DeliveryWorker({ db, tenantTargets: () => tenant, logger: silent });
    expect(await worker.runOnce()).toMatchObject({ dead: 1 });
    expect(listDeliveries(db)[0]!.lastError).toContain('answered 401');

    const post = async (path: string, body: object) => (await fetch(`${srv.url}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Token ${KEY}` }, body: JSON.stringify(body),
    })).status;
    expect(await post('/jobs', { customer_id: 'cus_1', notes: 'no address' })).toBe(422);
    // The shape this adapter sent before the document was checked: a `type` on the address.
    expect(await post('/customers', { first_name: 'Ann', addresses: [{ type: 'service', street: '1 Main St', zip: 'H2J 2L3' }] })).toBe(422);
    expect(await post('/leads', { note: 'no customer' })).toBe(422);
    expect(fake.problems).toEqual([
      '401 bad Authorization header',
      '422 customer_id and address_id are required',
      '422 unknown address fields type',
      '422 customer_id or customer is required',
    ]);
    expect(fake.customers).toHaveLength(1);
  });
});
