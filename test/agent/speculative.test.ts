// Speculative generation: a turn started on a likely end of turn and then aborted must leave no trace.
// Property: every scenario, played with an aborted speculative turn before each real turn, ends exactly as
// it does without speculation (same state, outcome, bookings and transcript).
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { loadScenarios, loadTestTenant, playScenario, checkScenario } from './support/scenarios.js';
import { openStore } from '../../src/records/store.js';
import { asyncStore } from '../../src/records/records-store.js';
import { createDialogSession } from '../../src/agent/session.js';

const scenarios = loadScenarios();

function comparable(run: Awaited<ReturnType<typeof playScenario>>): unknown {
  const { callId: _c, transcript, ...rest } = run.summary;
  return { ...rest, transcript: transcript.map((t) => [t.speaker, t.text]), state: run.state, replies: run.replies };
}

describe('speculative turns leave no trace', () => {
  for (const how of ['abort-signal', 'iterator-return'] as const) {
    it(`all ${scenarios.length} scenarios end identically with ${how} speculation before every turn`, async () => {
      const diverged: string[] = [];
      for (const s of scenarios) {
        const plain = await playScenario(s);
        const spec = await playScenario(s, undefined, { speculate: how });
        if (JSON.stringify(comparable(plain)) !== JSON.stringify(comparable(spec))) diverged.push(s.name);
        if (checkScenario(s, spec).length) diverged.push(`${s.name} (expectations)`);
      }
      expect(diverged).toEqual([]);
    });
  }

  it('an aborted booking turn books nothing and records nothing; the full turn then books', async () => {
    const tenant = loadTestTenant('demo');
    const at = DateTime.fromISO('2026-12-01T10:00', { zone: tenant.timeZone }).toJSDate();
    const store = openStore(':memory:');
    const session = createDialogSession({ tenant, channel: 'sip', callerNumber: '+15145550123', language: 'auto', store: asyncStore(store), clock: () => at });
    session.greeting();
    for (const t of ['My kitchen sink is leaking', 'just the sink', 'John Smith', 'yes', '4520 rue Saint-Denis, H2J 2L3', 'tomorrow morning']) {
      for await (const _ of session.respond(t)) { /* consume */ }
    }
    const before = session.state();
    const turnsBefore = store.getCall(session.callId)!.turns.length;
    const ac = new AbortController();
    const chunks: string[] = [];
    for await (const c of session.respond('yes', { signal: ac.signal })) {
      chunks.push(c.type);
      ac.abort();
    }
    expect(chunks).toEqual(['text']);
    expect(session.state()).toEqual(before);
    expect(store.getCall(session.callId)!.turns.length).toBe(turnsBefore);
    expect(store.appointments('demo', '2026-12-01T00:00:00Z', '2026-12-31T00:00:00Z')).toEqual([]);

    let final = null;
    for await (const c of session.respond('yes, that works')) if (c.type === 'final') final = c;
    expect(final?.state.outcome).toBe('booked');
    expect(store.appointments('demo', '2026-12-01T00:00:00Z', '2026-12-31T00:00:00Z')).toHaveLength(1);
    expect(store.getCall(session.callId)!.turns.length).toBe(turnsBefore + 2);
    store.close();
  });

  it('a turn superseded by a newer respond() never commits', async () => {
    const tenant = loadTestTenant('demo');
    const store = openStore(':memory:');
    const session = createDialogSession({ tenant, channel: 'sip', callerNumber: null, language: 'en', store: asyncStore(store), clock: () => new Date('2026-12-01T15:00:00Z') });
    const older = session.respond('I smell')[Symbol.asyncIterator]();
    await older.next();
    let final = null;
    for await (const c of session.respond('I smell gas in the basement')) if (c.type === 'final') final = c;
    expect(final?.state.outcome).toBe('escalated');
    const rest: string[] = [];
    for (let r = await older.next(); !r.done; r = await older.next()) rest.push(r.value.type);
    expect(rest).not.toContain('final');
    expect(store.getCall(session.callId)!.turns.filter((t) => t.speaker === 'caller').map((t) => t.text)).toEqual(['I smell gas in the basement']);
    store.close();
  });

  it('an aborted emergency turn neither escalates nor changes urgency', async () => {
    const tenant = loadTestTenant('demo');
    const store = openStore(':memory:');
    const session = createDialogSession({ tenant, channel: 'webrtc', callerNumber: null, language: 'auto', store: asyncStore(store), clock: () => new Date('2026-12-01T15:00:00Z') });
    const ac = new AbortController();
    const it = session.respond('I smell gas', { signal: ac.signal })[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.value).toMatchObject({ type: 'text' });
    ac.abort();
    expect((await it.next()).done).toBe(true);
    expect(session.state()).toMatchObject({ intent: null, urgency: 'routine', outcome: null });
    expect(store.getCall(session.callId)!.turns).toEqual([]);
    store.close();
  });
});
