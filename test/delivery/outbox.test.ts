// The outbox table on a real SQLite file: migration, enqueue inside the caller's transaction, listing.
import { afterEach, describe, expect, it } from 'vitest';
import { enqueueDeliveries, listDeliveries, redeliver } from '../../src/delivery/outbox.js';
import { enqueueCallNotifications } from '../../src/delivery/enqueue-call.js';
import { migrateDeliveryOutbox } from '../../src/delivery/outbox-migrations.js';
import { planTargets, parseNotificationTargets } from '../../src/delivery/targets.js';
import { englishBooking, frenchEmergency } from './support/summaries.js';
import { tempDb, type TempDb } from './support/db.js';

let t: TempDb;
afterEach(() => t.cleanup());

const targets = planTargets(parseNotificationTargets({
  sms: ['+15145550100'],
  email: ['Bureau@MontRoyal.example'],
  webhook: { url: 'https://hooks.example.com/firstring?token=abc123', secret: 'a-very-long-webhook-secret' },
  crm: { kind: 'jobber', accessToken: 'jobber-token' },
}));

describe('delivery outbox', () => {
  it('migrates once, side by side with another schema_migrations table', () => {
    t = tempDb();
    const db = t.open();
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    db.prepare('INSERT INTO schema_migrations VALUES (1, ?, ?)').run('calls', new Date().toISOString());
    expect(migrateDeliveryOutbox(db)).toBe(2);
    expect(migrateDeliveryOutbox(db)).toBe(2);
    expect(db.prepare('SELECT COUNT(*) FROM delivery_schema_migrations').pluck().get()).toBe(2);
    expect(db.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get()).toBe(1);
  });

  it('commits notifications with the summary in the caller\'s transaction, and rolls back with it', () => {
    t = tempDb();
    const db = t.open();
    db.exec('CREATE TABLE summaries (call_id TEXT PRIMARY KEY, json TEXT NOT NULL)');
    const save = db.transaction((s: ReturnType<typeof frenchEmergency>, fail: boolean) => {
      db.prepare('INSERT INTO summaries VALUES (?, ?)').run(s.callId, JSON.stringify(s));
      enqueueDeliveries(db, s, targets);
      if (fail) throw new Error('disk full');
    });
    expect(() => save(frenchEmergency('rolled-back'), true)).toThrow('disk full');
    expect(listDeliveries(db, { callId: 'rolled-back' })).toHaveLength(0);
    expect(db.prepare('SELECT COUNT(*) FROM summaries').pluck().get()).toBe(0);

    save(frenchEmergency('committed'), false);
    const rows = listDeliveries(db, { callId: 'committed' });
    expect(rows.map((r) => r.targetKind).sort()).toEqual(['crm', 'email', 'sms', 'webhook']);
    expect(rows.every((r) => r.status === 'pending' && r.attempts === 0)).toBe(true);
    const hook = rows.find((r) => r.targetKind === 'webhook');
    expect(hook?.targetLabel).toBe('https://hooks.example.com/firstring');
    expect(JSON.stringify(rows)).not.toContain('abc123');
    expect(rows.find((r) => r.targetKind === 'email')?.idempotencyKey).toBe('committed/email:bureau@montroyal.example');
  });

  it('skips a target already enqueued for the same call (same idempotency key)', () => {
    t = tempDb();
    const db = t.open();
    expect(enqueueDeliveries(db, englishBooking('c1'), targets)).toBe(4);
    expect(enqueueDeliveries(db, englishBooking('c1'), targets)).toBe(0);
    expect(listDeliveries(db, { tenantId: 'demo' })).toHaveLength(4);
  });

  it('lists by call, tenant and status, newest first, and requeues a dead row', () => {
    t = tempDb();
    const db = t.open();
    enqueueDeliveries(db, englishBooking('a'), targets.slice(0, 1));
    enqueueDeliveries(db, { ...englishBooking('b'), tenantId: 'other' }, targets.slice(0, 2));
    expect(listDeliveries(db).map((r) => r.callId)).toEqual(['b', 'b', 'a']);
    expect(listDeliveries(db, { tenantId: 'other' })).toHaveLength(2);
    const first = listDeliveries(db, { callId: 'a' })[0]!;
    db.prepare("UPDATE delivery_outbox SET status = 'dead', last_error = 'x', attempts = 5 WHERE id = ?").run(first.id);
    expect(listDeliveries(db, { status: 'dead' }).map((r) => r.id)).toEqual([first.id]);
    expect(redeliver(db, first.id)).toBe(true);
    expect(listDeliveries(db, { callId: 'a' })[0]).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
    expect(redeliver(db, first.id)).toBe(false);
  });

  it('enqueueCallNotifications reports a bad config instead of rolling back the caller\'s transaction', () => {
    t = tempDb();
    const db = t.open();
    db.exec('CREATE TABLE summaries (call_id TEXT PRIMARY KEY)');
    const results = db.transaction(() => {
      db.prepare('INSERT INTO summaries VALUES (?)').run('c-bad');
      const bad = enqueueCallNotifications(db, englishBooking('c-bad'), { sms: ['not a number'], webhook: { url: 'https://x.example/h', secret: 'sixteen-chars-secret!' } });
      db.prepare('INSERT INTO summaries VALUES (?)').run('c-good');
      const good = enqueueCallNotifications(db, englishBooking('c-good'), { sms: ['+15145550100'], email: ['a@example.com'] });
      return { bad, good };
    })();
    expect(results.bad).toEqual({ enqueued: 0, configError: 'invalid notification config: sms.0: must be a valid phone number in E.164 form, e.g. +15145550123' });
    expect(results.good).toEqual({ enqueued: 2 });
    expect(db.prepare('SELECT COUNT(*) FROM summaries').pluck().get()).toBe(2);
    expect(listDeliveries(db).map((r) => r.callId)).toEqual(['c-good', 'c-good']);
  });
});
