// Empty calls (no caller words, no caller number) on a real SQLite outbox: by default only webhooks
// hear of them; the tenant can ask for every channel or none. Any other call goes everywhere.
import { afterEach, describe, expect, it } from 'vitest';
import { enqueueCallNotifications } from '../../src/delivery/enqueue-call.js';
import { isEmptyCall } from '../../src/delivery/empty-call.js';
import { listDeliveries } from '../../src/delivery/outbox.js';
import { parseNotificationTargets } from '../../src/delivery/targets.js';
import { englishBooking } from './support/summaries.js';
import { tempDb, type TempDb } from './support/db.js';

let t: TempDb | undefined;
afterEach(() => {
  t?.cleanup();
  t = undefined;
});

const config = (emptyCalls?: string) => ({
  sms: ['+15145550100'],
  email: ['bureau@montroyal.example'],
  webhook: { url: 'https://hooks.example.com/firstring', secret: 'a-very-long-webhook-secret' },
  crm: { kind: 'jobber', accessToken: 'jobber-token' },
  ...(emptyCalls ? { emptyCalls } : {}),
});

/** A widget call closed during the greeting: the agent spoke, the caller did not, no number. */
function widgetHangUp(callId: string) {
  return {
    ...englishBooking(callId),
    intent: 'other',
    trade: null,
    problem: null,
    caller: { name: null, phone: null },
    serviceAddress: { line: null, postalCode: null, inServiceArea: null },
    preferredTime: null,
    outcome: 'abandoned' as const,
    appointment: undefined,
    transcript: [{ speaker: 'agent', text: 'Plomberie Mont-Royal, how can I help?', at: '2026-12-01T14:00:01-05:00' }],
  };
}

const kinds = (db: ReturnType<TempDb['open']>, callId: string) => listDeliveries(db, { callId }).map((r) => r.targetKind).sort();

describe('empty calls', () => {
  it('tells an empty call from one where the caller spoke or left a number', () => {
    expect(isEmptyCall(widgetHangUp('a'))).toBe(true);
    expect(isEmptyCall({ ...widgetHangUp('a'), transcript: [] })).toBe(true);
    expect(isEmptyCall({ ...widgetHangUp('a'), transcript: [{ speaker: 'caller', text: '  ' }] })).toBe(true);
    expect(isEmptyCall({ ...widgetHangUp('a'), transcript: [{ speaker: 'caller', text: 'my furnace' }] })).toBe(false);
    // A SIP caller who hung up during the greeting left a number to call back.
    expect(isEmptyCall({ ...widgetHangUp('a'), caller: { name: null, phone: '+15145550123' } })).toBe(false);
  });

  it('sends an empty call to webhooks only by default, to every channel or none when the tenant says so', () => {
    t = tempDb();
    const db = t.open();
    expect(parseNotificationTargets(config()).emptyCalls).toBe('webhook');
    expect(enqueueCallNotifications(db, widgetHangUp('default'), config())).toEqual({ enqueued: 1 });
    expect(kinds(db, 'default')).toEqual(['webhook']);
    expect(enqueueCallNotifications(db, widgetHangUp('all'), config('all'))).toEqual({ enqueued: 4 });
    expect(kinds(db, 'all')).toEqual(['crm', 'email', 'sms', 'webhook']);
    expect(enqueueCallNotifications(db, widgetHangUp('none'), config('none'))).toEqual({ enqueued: 0 });
    expect(kinds(db, 'none')).toEqual([]);
  });

  it('sends every other call to every channel, whatever the policy', () => {
    t = tempDb();
    const db = t.open();
    expect(enqueueCallNotifications(db, englishBooking('booked'), config('none'))).toEqual({ enqueued: 4 });
    const missed = { ...widgetHangUp('missed'), caller: { name: null, phone: '+15145550123' } };
    expect(enqueueCallNotifications(db, missed, config())).toEqual({ enqueued: 4 });
    expect(kinds(db, 'missed')).toEqual(['crm', 'email', 'sms', 'webhook']);
  });

  it('refuses an unknown policy as a config error, without throwing', () => {
    t = tempDb();
    const db = t.open();
    const r = enqueueCallNotifications(db, widgetHangUp('bad'), config('sometimes'));
    expect(r.enqueued).toBe(0);
    expect(r.configError).toMatch(/emptyCalls/);
  });
});
