// Notification target validation, planning, and the summary view against the real summary shape.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { CallSummarySchema } from '../../src/agent/summary-schema.js';
import type { CallSummary as AgentSummary } from '../../src/agent/types.js';
import type { CallSummary } from '../../src/delivery/summary-view.js';
import { NotificationTargetsSchema, DeliveryOperatorSchema } from '../../src/delivery/targets-schema.js';
import { parseNotificationTargets, planTargets, resolveTarget } from '../../src/delivery/targets.js';
import { backoffDelay } from '../../src/delivery/backoff.js';
import { englishBooking, frenchEmergency } from './support/summaries.js';

describe('notification targets', () => {
  it('accepts the tenant files\' notifications block as it is', () => {
    const demo = parseYaml(readFileSync('config/tenants/demo.yaml', 'utf8')) as { notifications: unknown };
    const parsed = parseNotificationTargets(demo.notifications);
    expect(planTargets(parsed).map((x) => x.kind).sort()).toEqual(['email', 'sms']);
  });

  it('names each bad field: E.164 numbers, emails, webhook URL and secret, CRM credentials', () => {
    const r = NotificationTargetsSchema.safeParse({
      sms: ['5145550123', '+1514555012', '+15145550123'],
      email: ['not-an-email'],
      webhook: { url: 'ftp://example.com/x', secret: 'short' },
      crm: { kind: 'jobber' },
      extra: true,
    });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['sms.0', 'sms.1', 'email.0', 'webhook.url', 'webhook.secret', 'crm.accessToken', '']));
    expect(paths).not.toContain('sms.2');
    expect(() => parseNotificationTargets({ crm: { kind: 'salesforce', token: 'abc' } })).toThrow(/invalid notification config: crm/);
  });

  it('fills transport defaults and validates the operator config', () => {
    const t = parseNotificationTargets({ crm: { kind: 'housecallpro', apiKey: 'k' }, smtp: { host: 'smtp.example.com', from: 'calls@example.com' } });
    expect(t.crm).toEqual({ kind: 'housecallpro', apiKey: 'k', baseUrl: 'https://api.housecallpro.com' });
    expect(t.smtp).toMatchObject({ port: 587, secure: false, requireTLS: true, rejectUnauthorized: true });
    expect(DeliveryOperatorSchema.safeParse({ smsProvider: { kind: 'twilio', accountSid: 'AC1', authToken: 't', from: '+15145550999' } }).success).toBe(true);
    expect(DeliveryOperatorSchema.safeParse({ smsProvider: { kind: 'twilio', accountSid: 'AC1', from: '+15145550999' } }).success).toBe(false);
  });

  it('resolves a planned target back to its transport, tenant first then operator', () => {
    const tenant = parseNotificationTargets({ email: ['a@example.com'], sms: ['+15145550100'] });
    const operator = { smtp: { host: 'relay', port: 25, secure: false, requireTLS: false, rejectUnauthorized: true, from: 'x@example.com' } };
    const planned = planTargets(tenant);
    expect(resolveTarget('email', planned[0]!.ref, tenant, operator)).toMatchObject({ kind: 'email', to: 'a@example.com', smtp: { host: 'relay' } });
    expect(() => resolveTarget('sms', '+15145550100', tenant, operator)).toThrow('no SMS provider configured');
    expect(() => resolveTarget('fax', 'x', tenant, operator)).toThrow('unknown target kind "fax"');
  });

  it('the test summaries are valid issue-4 summaries, and the real type fits the delivery view', () => {
    expect(CallSummarySchema.safeParse(frenchEmergency()).success).toBe(true);
    expect(CallSummarySchema.safeParse(englishBooking()).success).toBe(true);
    expectTypeOf<AgentSummary>().toExtend<CallSummary>();
  });

  it('computes capped exponential delays with bounded jitter', () => {
    const p = { baseMs: 1000, maxMs: 10_000, maxAttempts: 8, jitter: 0.5 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(p, n, () => 0))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(backoffDelay(p, 3, () => 0.999999)).toBe(2000);
    expect(backoffDelay({ ...p, jitter: 0 }, 3, () => 0.7)).toBe(4000);
  });
});
