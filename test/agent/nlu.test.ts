// Deterministic understanding in English and Canadian French.
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { detectLanguage } from '../../src/agent/nlu/language.js';
import { extractAddressLine, extractName, extractPhone, extractPostalCode, readBackPhone } from '../../src/agent/nlu/contact.js';
import { extractPreferredTime } from '../../src/agent/nlu/time.js';
import { detectEmergencies, detectTrade, detectIntents } from '../../src/agent/nlu/problem.js';
import { normalize } from '../../src/agent/nlu/normalize.js';
import { yesNo } from '../../src/agent/nlu/answers.js';

describe('language', () => {
  it.each([
    ['ma fournaise ne marche plus', 'fr'],
    ['mon chauffe-eau coule', 'fr'],
    ['le drain est bouché', 'fr'],
    ['my furnace is not working', 'en'],
    ['I have a leak under the sink', 'en'],
  ] as const)('%s → %s', (text, lang) => expect(detectLanguage(text, null)).toBe(lang));

  it('switches only on clear evidence or an explicit request', () => {
    expect(detectLanguage('Paul Gagnon', 'en')).toBe('en');
    expect(detectLanguage('oui', 'en')).toBe('en');
    expect(detectLanguage('en français svp', 'en')).toBe('fr');
    expect(detectLanguage("c'est la fournaise dans le sous-sol", 'en')).toBe('fr');
  });
});

describe('contact details', () => {
  it('phones as E.164, read back in digit groups', () => {
    expect(extractPhone('call me at (514) 555-0123 please')).toBe('+15145550123');
    expect(extractPhone('cinq un quatre, cinq cinq cinq, zéro un deux trois')).toBe('+15145550123');
    expect(extractPhone('I live at 4520 Saint-Denis')).toBeNull();
    expect(readBackPhone('+15145550123')).toBe('514 555 0123');
  });
  it('postal codes: Canadian, US ZIP, not house numbers', () => {
    expect(extractPostalCode('4520 rue Saint-Denis, h2j2l3')).toBe('H2J 2L3');
    expect(extractPostalCode('40 Lakeview Drive, 05401')).toBe('05401');
    expect(extractPostalCode('12345 Main Street')).toBeNull();
    expect(extractPostalCode('H4T', { allowFsaOnly: true })).toBe('H4T');
  });
  it('addresses and names', () => {
    expect(extractAddressLine("j'habite au 1200 boulevard Décarie app 4, H4L 3M1")).toBe('1200 boulevard Décarie, apt 4');
    expect(extractAddressLine('88 Lakeview Drive 05401')).toBe('88 Lakeview Drive');
    expect(extractName("je m'appelle Marie-Claude Roy", false)).toBe('Marie-Claude Roy');
    expect(extractName("I'm calling because my sink leaks", false)).toBeNull();
    expect(extractName('jean tremblay', true)).toBe('Jean Tremblay');
  });
});

describe('times, problems, answers', () => {
  const now = DateTime.fromISO('2026-12-01T10:00', { zone: 'America/Toronto' });
  it('preferred times resolve against the tenant clock', () => {
    expect(extractPreferredTime('demain en avant-midi', now)).toMatchObject({ date: '2026-12-02', part: 'morning' });
    expect(extractPreferredTime('lundi vers 14 h', now)).toMatchObject({ date: '2026-12-07', hour: 14 });
    expect(extractPreferredTime('le plus tôt possible', now)).toMatchObject({ asap: true });
    expect(extractPreferredTime('Paul Gagnon', now)).toBeNull();
  });
  it('emergencies, denied symptoms, trades and intents', () => {
    expect(detectEmergencies(normalize('ça sent le gaz'))).toEqual(['gas_smell']);
    expect(detectEmergencies(normalize('le tuyau a pété')).includes('burst_pipe')).toBe(true);
    expect(detectEmergencies(normalize('no burning smell, no sparks'))).toEqual([]);
    expect(detectTrade(normalize('mon chauffe-eau fuit'))).toBe('plumbing');
    expect(detectTrade(normalize('ma fournaise fait du bruit'))).toBe('hvac');
    expect(detectIntents(normalize('je veux faire une plainte'))[0]).toBe('complaint');
    expect(detectIntents(normalize("I'd like a quote for a new heat pump"))[0]).toBe('sales');
  });
  it('yes and no, including Québec French', () => {
    expect(yesNo('oui, parfait')).toBe('yes');
    expect(yesNo('en plein ça')).toBe('yes');
    expect(yesNo("no, that doesn't work")).toBe('no');
    expect(yesNo('non')).toBe('no');
  });
});

describe('what the agent waits for', () => {
  it('the final chunk says which kind of answer is expected next', async () => {
    const { openStore } = await import('../../src/records/store.js');
    const { asyncStore } = await import('../../src/records/records-store.js');
    const { createDialogSession } = await import('../../src/agent/session.js');
    const { loadTestTenant } = await import('./support/scenarios.js');
    const store = openStore(':memory:');
    const s = createDialogSession({ tenant: loadTestTenant('demo'), channel: 'sip', callerNumber: '+15145550123', language: 'en', store: asyncStore(store), clock: () => new Date('2026-12-01T15:00:00Z') });
    const expecting: unknown[] = [];
    for (const t of ['My kitchen sink is leaking', 'yes I shut it off', 'John Smith', 'yes', '4520 rue Saint-Denis', 'H2J 2L3', 'tomorrow morning', 'yes', 'no']) {
      for await (const c of s.respond(t)) if (c.type === 'final') expecting.push(c.expecting);
    }
    expect(expecting).toEqual(['yes_no', 'name', 'yes_no', 'address', 'address', 'time', 'yes_no', 'yes_no', null]);
    store.close();
  });
});
