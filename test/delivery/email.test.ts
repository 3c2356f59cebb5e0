// Email summaries through nodemailer to a real SMTP server started by the test.
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import { enqueueDeliveries, listDeliveries } from '../../src/delivery/outbox.js';
import { planTargets, parseNotificationTargets } from '../../src/delivery/targets.js';
import { FakeClock, capturedLogger, tempDb, type TempDb } from './support/db.js';
import { startSmtp, type TestSmtp } from './support/smtp.js';
import { englishBooking, frenchEmergency } from './support/summaries.js';

const silent = pino({ level: 'silent' });
let t: TempDb;
let smtp: TestSmtp;
afterEach(async () => {
  await smtp.close();
  t.cleanup();
});

function operator(port: number, pass = 's3cret-smtp-pass') {
  return { smtp: { host: '127.0.0.1', port, secure: false, requireTLS: false, auth: { user: 'relay', pass }, from: 'Firstring <calls@firstring.example>' } };
}

describe('email delivery', () => {
  it('sends a French emergency summary in French, text and HTML, with the callback number, address, problem and outcome', async () => {
    t = tempDb();
    smtp = await startSmtp({ user: 'relay', pass: 's3cret-smtp-pass' });
    const db = t.open();
    const tenant = { email: ['bureau@montroyal.example'] };
    enqueueDeliveries(db, frenchEmergency(), planTargets(parseNotificationTargets(tenant)));
    const { logger, text: logText } = capturedLogger();
    const worker = new DeliveryWorker({ db, tenantTargets: () => tenant, operator: operator(smtp.port), logger });
    expect(await worker.runOnce()).toMatchObject({ sent: 1 });

    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.user).toBe('relay');
    expect(mail.to).toEqual(['bureau@montroyal.example']);
    expect(mail.from).toBe('calls@firstring.example');
    const p = mail.parsed;
    expect(p.subject).toBe('[URGENCE] Plomberie – Sylvie Côté – Transmis à la personne de garde');
    expect(p.text).toContain('Numéro de rappel : +1 514 555 0123');
    expect(p.text).toContain('Adresse : 4520 rue Saint-Denis, H2J 2L3');
    expect(p.text).toContain("Problème : Un tuyau a éclaté au sous-sol, l'eau coule partout.");
    expect(p.text).toContain('Résultat : Transmis à la personne de garde');
    expect(p.text).toContain('Rappeler la cliente après le passage du technicien');
    expect(p.text).not.toMatch(/Callback|Outcome|Problem:/);
    expect(p.html).toContain('<html lang="fr">');
    expect(p.html).toContain('Numéro de rappel</th><td>+1 514 555 0123');
    expect(p.html).toContain('Un tuyau a éclaté au sous-sol, l&#39;eau coule partout.');
    expect(p.headers.get('x-firstring-call-id')).toBe('call-fr-1');
    expect(p.headers.get('priority')).toBe('high');
    expect(p.messageId).toMatch(/^<[0-9a-f]{32}@firstring\.example>$/);
    expect(logText()).not.toContain('s3cret-smtp-pass');
  });

  it('sends an English booking summary in English with the appointment', async () => {
    t = tempDb();
    smtp = await startSmtp({ user: 'relay', pass: 's3cret-smtp-pass' });
    const db = t.open();
    const tenant = { email: ['office@example.com'], smtp: operator(smtp.port).smtp };
    enqueueDeliveries(db, englishBooking(), planTargets(parseNotificationTargets(tenant)));
    const worker = new DeliveryWorker({ db, tenantTargets: () => tenant, logger: silent });
    expect(await worker.runOnce()).toMatchObject({ sent: 1 });
    const p = smtp.mails[0]!.parsed;
    expect(p.subject).toBe('[Routine] Heating & cooling – John Smith – Appointment booked');
    expect(p.text).toContain('Callback number: +1 514 555 0199');
    expect(p.text).toContain('Address: 1200 Avenue Greene, H3Z 2A9');
    expect(p.text).toContain('Problem: The furnace makes a loud banging noise when it starts.');
    expect(p.text).toContain('Outcome: Appointment booked');
    expect(p.text).toMatch(/Appointment: Dec\.? 3, 2026, 9:00 a\.?m\.? with Marc/i);
    expect(p.text).toContain('Preferred time: Thursday morning');
  });

  it('retries a transient 451 reply, and dead-letters a refused login', async () => {
    t = tempDb();
    smtp = await startSmtp({ user: 'relay', pass: 's3cret-smtp-pass' });
    const db = t.open();
    const clock = new FakeClock();
    const tenant = { email: ['office@example.com'] };
    enqueueDeliveries(db, englishBooking(), planTargets(parseNotificationTargets(tenant)), clock.now());
    smtp.failNext(1);
    const worker = new DeliveryWorker({ db, tenantTargets: () => tenant, operator: operator(smtp.port), logger: silent, clock: clock.now, backoff: { baseMs: 100, maxMs: 1000 } });
    expect(await worker.runOnce()).toMatchObject({ retried: 1 });
    expect(listDeliveries(db)[0]!.lastError).toMatch(/SMTP 127\.0\.0\.1:\d+: 451/);
    clock.advance(1000);
    expect(await worker.runOnce()).toMatchObject({ sent: 1 });
    expect(smtp.mails).toHaveLength(1);

    enqueueDeliveries(db, englishBooking('bad-login'), planTargets(parseNotificationTargets(tenant)), clock.now());
    const wrong = new DeliveryWorker({ db, tenantTargets: () => tenant, operator: operator(smtp.port, 'wrong-pass'), logger: silent, clock: clock.now, backoff: { baseMs: 100, maxMs: 1000, maxAttempts: 2 } });
    expect(await wrong.runOnce()).toMatchObject({ retried: 1 });
    clock.advance(1000);
    expect(await wrong.runOnce()).toMatchObject({ dead: 1 });
    const dead = listDeliveries(db, { status: 'dead' })[0]!;
    expect(dead.lastError).toMatch(/gave up after 2 attempts: SMTP .*535/);
    expect(dead.lastError).not.toContain('wrong-pass');
  });
});
