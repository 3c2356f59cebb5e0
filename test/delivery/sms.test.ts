// SMS summaries through a Twilio-compatible Messages API and a generic JSON API, both local servers.
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import { enqueueDeliveries, listDeliveries } from '../../src/delivery/outbox.js';
import { planTargets, parseNotificationTargets } from '../../src/delivery/targets.js';
import { renderSms, smsSegments, toGsm7 } from '../../src/delivery/render/sms.js';
import { tempDb, type TempDb } from './support/db.js';
import { startRecordingServer, type RecordingServer } from './support/recording-server.js';
import { englishBooking, frenchEmergency } from './support/summaries.js';

const silent = pino({ level: 'silent' });
let t: TempDb;
let srv: RecordingServer;
afterEach(async () => {
  await srv.close();
  t.cleanup();
});

describe('SMS delivery', () => {
  it('posts to the Twilio Messages resource: form-encoded To, From, Body with basic auth', async () => {
    t = tempDb();
    srv = await startRecordingServer(() => ({ status: 201, body: { sid: 'SM123', status: 'queued' } }));
    const db = t.open();
    const tenant = {
      sms: ['+15145550100', '+15145550101'],
      smsProvider: { kind: 'twilio', accountSid: 'AC0123456789abcdef', authToken: 'twilio-auth-token', from: '+15145550999', baseUrl: srv.url },
    };
    enqueueDeliveries(db, frenchEmergency(), planTargets(parseNotificationTargets(tenant)));
    const worker = new DeliveryWorker({ db, tenantTargets: () => tenant, logger: silent });
    expect(await worker.runOnce()).toMatchObject({ claimed: 2, sent: 2 });

    expect(srv.requests).toHaveLength(2);
    for (const r of srv.requests) {
      expect(r.method).toBe('POST');
      expect(r.url).toBe('/2010-04-01/Accounts/AC0123456789abcdef/Messages.json');
      expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(r.headers.authorization).toBe(`Basic ${Buffer.from('AC0123456789abcdef:twilio-auth-token').toString('base64')}`);
      expect(r.headers['idempotency-key']).toMatch(/^call-fr-1\/sms:\+1514555010[01]$/);
    }
    const forms = srv.requests.map((r) => new URLSearchParams(r.body));
    expect(forms.map((f) => f.get('To')).sort()).toEqual(['+15145550100', '+15145550101']);
    const body = forms[0]!.get('Body')!;
    expect(forms[0]!.get('From')).toBe('+15145550999');
    expect(body).toContain('URGENCE - Plomberie');
    expect(body).toContain('Sylvie Coté, +1 514 555 0123'); // ô is outside GSM-7: folded to o
    expect(body).toContain('4520 rue Saint-Denis, H2J 2L3');
    expect(body).toContain('Un tuyau a éclaté au sous-sol');
    expect(body).toContain('Résultat : Transmis à la personne de garde');
    expect(smsSegments(body)).toBe(2);
    expect([...forms[0]!.keys()].sort()).toEqual(['Body', 'From', 'To']);
  });

  it('posts JSON {to, from, text, idempotencyKey} to a generic HTTP provider, with a bearer token', async () => {
    t = tempDb();
    srv = await startRecordingServer(() => ({ status: 202, body: { id: 'm1' } }));
    const db = t.open();
    const tenant = { sms: ['+14165550123'] };
    const operator = { smsProvider: { kind: 'http', url: `${srv.url}/v1/sms`, from: '+15145550999', bearerToken: 'sms-bearer-token' } };
    enqueueDeliveries(db, englishBooking(), planTargets(parseNotificationTargets(tenant)));
    const worker = new DeliveryWorker({ db, tenantTargets: () => tenant, operator, logger: silent });
    expect(await worker.runOnce()).toMatchObject({ sent: 1 });
    const r = srv.requests[0]!;
    expect(r.url).toBe('/v1/sms');
    expect(r.headers.authorization).toBe('Bearer sms-bearer-token');
    expect(r.headers['content-type']).toBe('application/json');
    const json = JSON.parse(r.body);
    expect(Object.keys(json).sort()).toEqual(['from', 'idempotencyKey', 'text', 'to']);
    expect(json).toMatchObject({ to: '+14165550123', from: '+15145550999', idempotencyKey: 'call-en-1/sms:+14165550123' });
    expect(json.text).toBe([
      'Routine - Heating & cooling',
      'John Smith, +1 514 555 0199',
      '1200 Avenue Greene, H3Z 2A9',
      'The furnace makes a loud banging noise when it starts.',
      'Outcome: Appointment booked',
    ].join('\n'));
  });

  it('a 400 from the provider is permanent: dead at once with the provider\'s message', async () => {
    t = tempDb();
    srv = await startRecordingServer(() => ({ status: 400, body: { code: 21211, message: "The 'To' number is not a valid phone number." } }));
    const db = t.open();
    const tenant = { sms: ['+15145550100'], smsProvider: { kind: 'twilio', accountSid: 'AC1', authToken: 'tok-123', from: '+15145550999', baseUrl: srv.url } };
    enqueueDeliveries(db, englishBooking(), planTargets(parseNotificationTargets(tenant)));
    const worker = new DeliveryWorker({ db, tenantTargets: () => tenant, logger: silent });
    expect(await worker.runOnce()).toMatchObject({ dead: 1 });
    expect(listDeliveries(db)[0]!.lastError).toMatch(/answered 400: .*21211/);
  });

  it('keeps a long French summary within two GSM-7 segments', () => {
    const long = {
      ...frenchEmergency(),
      problem: 'Il y a une fuite énorme sous l’évier de la cuisine, l’eau a traversé le plafond du sous-sol, la fenêtre est ouverte, ça sent l’humidité, on a fermé l’entrée d’eau principale mais ça coule encore un peu et il y a des prises électriques près de la fuite, ce qui nous inquiète beaucoup. Aussi le chauffe-eau fait un bruit étrange depuis hier.',
      followUps: [],
    };
    const text = renderSms(long);
    expect(toGsm7(text)).toBe(text);
    expect(smsSegments(text)).toBeLessThanOrEqual(2);
    expect(text).toContain('Sylvie Coté, +1 514 555 0123');
    expect(text).toContain('Résultat : Transmis à la personne de garde');
    expect(text).toContain("Il y a une fuite énorme sous l'évier"); // é is GSM-7; ’ is folded to '
    expect(text).toMatch(/\.\.\.\nRésultat/);
  });

  it('counts segments as the GSM and UCS-2 encodings do', () => {
    expect(smsSegments('a'.repeat(160))).toBe(1);
    expect(smsSegments('a'.repeat(161))).toBe(2);
    expect(smsSegments('€'.repeat(80))).toBe(1);
    expect(smsSegments('€'.repeat(81))).toBe(2);
    expect(smsSegments('ê'.repeat(70))).toBe(1);
    expect(smsSegments('ê'.repeat(71))).toBe(2);
  });
});
