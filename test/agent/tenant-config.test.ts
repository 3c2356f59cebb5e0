// Tenant configuration: the shipped tenants load; invalid ones fail with the field path and the problem.
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadTenants, parseTenant, parseTenantText, TenantConfigError } from '../../src/agent/tenant/loader.js';

const demoRaw = parse(readFileSync(new URL('../../config/tenants/demo.yaml', import.meta.url), 'utf8')) as Record<string, any>;
const withChange = (f: (t: Record<string, any>) => void): Record<string, any> => {
  const t = structuredClone(demoRaw);
  f(t);
  return t;
};
function problems(raw: unknown): string[] {
  try {
    parseTenant(raw, 'demo.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(TenantConfigError);
    return (err as TenantConfigError).problems;
  }
  throw new Error('expected the tenant to be rejected');
}

describe('tenant configuration', () => {
  it('loads the shipped tenants: a bilingual Montréal plumbing and heating company, and a US electrician', () => {
    const reg = loadTenants(new URL('../../config/tenants', import.meta.url).pathname);
    const demo = reg.get('demo')!;
    expect(demo.languages.sort()).toEqual(['en', 'fr']);
    expect(demo.trades.sort()).toEqual(['hvac', 'plumbing']);
    expect(demo.timeZone).toBe('America/Toronto');
    expect(reg.get('lakeside')?.serviceArea.postalPrefixes).toContain('05401');
  });

  it('names the field and the problem', () => {
    expect(problems(withChange((t) => (t.hours.monday[0].open = '8h')))).toContain('hours.monday.0.open: expected a time as HH:MM (24 h)');
    expect(problems(withChange((t) => (t.timeZone = 'Mars/Olympus')))).toContain('timeZone: expected an IANA time zone like America/Toronto');
    expect(problems(withChange((t) => (t.routing.onCall[0].phone = '555-1234')))).toContain('routing.onCall.0.phone: expected a valid E.164 phone number like +15145550123');
    expect(problems(withChange((t) => (t.routing.sales.target = 'bob')))).toContain('routing.sales.target: expected a SIP URI (sip:user@host) or an E.164 number');
    expect(problems(withChange((t) => (t.serviceArea.postalPrefixes = ['H4T', 'ZZZZ'])))[0]).toMatch(/^serviceArea\.postalPrefixes\.1: expected a Canadian FSA/);
    expect(problems(withChange((t) => delete t.greeting.fr))).toContain('greeting.fr: missing greeting for language fr');
    expect(problems(withChange((t) => (t.booking.technicians[0].trades = ['electrical'])))).toContain('booking.technicians.0.trades.0: trade electrical is not offered by the tenant');
    expect(problems(withChange((t) => delete t.emergencies.rules[0].safety.en))).toContain('emergencies.rules.0.safety.en: a life-safety rule needs safety instructions in every language');
    expect(problems(withChange((t) => (t.hours.monday[0] = { open: '17:00', close: '08:00' })))).toContain('hours.monday.0: open must be before close');
    expect(problems(withChange((t) => (t.colour = 'blue'))).join()).toMatch(/colour/);
    expect(problems(withChange((t) => (t.holidays = ['2026-13-40'])))).toContain('holidays.0: expected a date as YYYY-MM-DD');
  });

  it('reports broken YAML and a file name that does not match the id', () => {
    expect(() => parseTenantText('id: [unclosed', 'x.yaml')).toThrow(/x\.yaml: not valid YAML/);
    const dir = mkdtempSync(join(tmpdir(), 'tenants-'));
    writeFileSync(join(dir, 'other.yaml'), stringify(demoRaw));
    expect(() => loadTenants(dir)).toThrow('other.yaml: id: "demo" must match the file name "other"');
  });
});
