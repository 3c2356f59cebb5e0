// Behaviour every records store must show (SQLite through the async facade, PostgreSQL), run by both test files.
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { CallSummary } from '../../../src/agent/types.js';
import type { RecordsStore } from '../../../src/records/records-store.js';
import { SlotTakenError, UnknownCallError } from '../../../src/records/types.js';

export function summaryFor(callId: string, tenantId: string, over: Partial<CallSummary> = {}): CallSummary {
  return {
    callId, tenantId, channel: 'text', language: 'en', startedAt: '2026-12-01T10:00:00-05:00', endedAt: '2026-12-01T10:03:00-05:00',
    intent: 'service_request', urgency: 'urgent', trade: 'plumbing', problem: 'Water heater leaking.',
    caller: { name: 'Ann Lee', phone: '+15145550123' }, serviceAddress: { line: '12 Elm St', postalCode: 'H4T 1A1', inServiceArea: true },
    preferredTime: null, outcome: 'request_created', followUps: [], transcript: [{ speaker: 'caller', text: 'My water heater leaks', at: '2026-12-01T10:00:05-05:00' }],
    ...over,
  };
}

export function storeContract(open: () => RecordsStore): void {
  const tenant = (): string => `t-${randomUUID().slice(0, 8)}`;

  it('records a call as it progresses: turns, latency figures merged, end reason kept by the summary', async () => {
    const s = open();
    const t = tenant();
    const id = randomUUID();
    await s.createCall({ id, tenantId: t, channel: 'webrtc', callerNumber: '+15145550123', language: 'en', startedAt: '2026-12-01T10:00:00-05:00' });
    await s.createCall({ id, tenantId: t, channel: 'webrtc', callerNumber: null, language: 'en', startedAt: '2026-12-01T10:00:00-05:00' });
    await s.appendTurn(id, { speaker: 'caller', text: 'hello', at: '2026-12-01T10:00:01-05:00' });
    const agent = await s.appendTurn(id, { speaker: 'agent', text: 'Hi, how can I help?', at: '2026-12-01T10:00:02-05:00' }, 'rules');
    await s.recordTurnLatency(agent, { endOfUtteranceDelayMs: 310, transcriptionDelayMs: 120 });
    await s.recordTurnLatency(agent, { llmTtftMs: 250.04, ttsTtfbMs: 90, endToEndMs: 780, interruptionStopMs: Number.NaN });
    const mid = (await s.getCall(id))!;
    expect(mid.status).toBe('active');
    expect(mid.callerNumber).toBe('+15145550123');
    expect(mid.turns.map((x) => x.speaker)).toEqual(['caller', 'agent']);
    expect(mid.turns[1]?.latency).toEqual({ endOfUtteranceDelayMs: 310, transcriptionDelayMs: 120, llmTtftMs: 250, ttsTtfbMs: 90, endToEndMs: 780 });
    expect(mid.turns[0]?.latency).toBeNull();

    await s.endCall(id, { reason: 'caller_hangup', endedAt: '2026-12-01T10:02:00-05:00' });
    const ended = (await s.getCall(id))!;
    expect(ended).toMatchObject({ status: 'ended', endReason: 'caller_hangup', endedAt: '2026-12-01T10:02:00-05:00', summary: null });

    await s.saveSummary(summaryFor(id, t, { channel: 'webrtc', outcome: 'transferred', transferTo: '+15145550199' }), { endReason: 'agent_end' });
    const done = (await s.getCall(id))!;
    expect(done).toMatchObject({ status: 'ended', endReason: 'caller_hangup', outcome: 'transferred', transferTarget: '+15145550199', transferOutcome: 'requested' });
    await s.recordTransfer(id, { target: '+15145550199', outcome: 'connected' });
    expect((await s.getCall(id))!.transferOutcome).toBe('connected');
    await expect(s.endCall('nope', { reason: 'x', endedAt: '2026-12-01T10:02:00Z' })).rejects.toBeInstanceOf(UnknownCallError);
    await expect(s.saveSummary(summaryFor('nope', t))).rejects.toBeInstanceOf(UnknownCallError);
    await expect(s.recordTurnLatency(99_999_999, { endToEndMs: 1 })).rejects.toThrow(/unknown turn/);
    await expect(s.createCall({ id: randomUUID(), tenantId: t, channel: 'text', callerNumber: null, language: 'en', startedAt: 'yesterday' })).rejects.toThrow(/ISO 8601/);
  });

  it('marks calls left open by a crash abandoned, with a minimal summary keeping what was said', async () => {
    const s = open();
    const t = tenant();
    const open1 = randomUUID();
    const closed = randomUUID();
    await s.createCall({ id: open1, tenantId: t, channel: 'sip', callerNumber: '+15145550111', language: 'fr', startedAt: '2026-12-01T10:00:00-05:00' });
    await s.appendTurn(open1, { speaker: 'agent', text: 'Bonjour', at: '2026-12-01T10:00:01-05:00' });
    await s.appendTurn(open1, { speaker: 'caller', text: 'Mon chauffe-eau fuit', at: '2026-12-01T10:00:04-05:00' });
    await s.createCall({ id: closed, tenantId: t, channel: 'text', callerNumber: null, language: 'en', startedAt: '2026-12-01T09:00:00-05:00' });
    await s.saveSummary(summaryFor(closed, t));
    const ids = await s.abandonOpenCalls('2026-12-01T15:30:00.000Z');
    expect(ids).toContain(open1);
    expect(ids).not.toContain(closed);
    const rec = (await s.getCall(open1))!;
    expect(rec).toMatchObject({ status: 'abandoned', endReason: 'abandoned', outcome: 'abandoned', endedAt: '2026-12-01T15:30:00.000Z' });
    expect(rec.summary).toMatchObject({ outcome: 'abandoned', language: 'fr', caller: { phone: '+15145550111' }, problem: 'Mon chauffe-eau fuit' });
    expect(rec.summary?.transcript.map((x) => x.text)).toEqual(['Bonjour', 'Mon chauffe-eau fuit']);
    expect((await s.getCall(closed))!.outcome).toBe('request_created');
    expect(await s.abandonOpenCalls('2026-12-01T15:31:00.000Z')).not.toContain(open1);
  });

  it('lists a tenant\'s calls newest first with filters, and sums usage per tenant', async () => {
    const s = open();
    const t = tenant();
    const other = tenant();
    const mk = async (tenantId: string, startedAt: string, endedAt: string, over: Partial<CallSummary>): Promise<string> => {
      const id = randomUUID();
      await s.createCall({ id, tenantId, channel: 'text', callerNumber: null, language: 'en', startedAt });
      await s.appendTurn(id, { speaker: 'agent', text: 'Hello', at: startedAt });
      await s.appendTurn(id, { speaker: 'caller', text: 'Hi', at: startedAt });
      await s.saveSummary(summaryFor(id, tenantId, { startedAt, endedAt, ...over }));
      return id;
    };
    const a = await mk(t, '2026-12-01T08:00:00-05:00', '2026-12-01T08:02:00-05:00', { urgency: 'emergency', trade: 'hvac', outcome: 'escalated' });
    const b = await mk(t, '2026-12-01T14:00:00Z', '2026-12-01T14:01:30Z', { urgency: 'routine' });
    const c = await mk(t, '2026-11-30T12:00:00-05:00', '2026-11-30T12:01:00-05:00', {});
    await mk(other, '2026-12-01T09:00:00-05:00', '2026-12-01T09:10:00-05:00', {});
    const day = await s.listCalls({ tenantId: t, from: '2026-12-01T00:00:00-05:00', to: '2026-12-02T00:00:00-05:00' });
    expect(day.map((x) => x.id)).toEqual([b, a]);
    expect(day[1]).toMatchObject({ urgency: 'emergency', trade: 'hvac', outcome: 'escalated', callerName: 'Ann Lee', problem: 'Water heater leaking.' });
    expect((await s.listCalls({ tenantId: t, urgency: 'emergency' })).map((x) => x.id)).toEqual([a]);
    expect((await s.listCalls({ tenantId: t, outcome: 'request_created', trade: 'plumbing' })).map((x) => x.id)).toEqual([b, c]);
    const usage = await s.usage({ from: '2026-11-01T00:00:00Z', to: '2027-01-01T00:00:00Z', tenantId: t });
    expect(usage).toEqual([{ tenantId: t, calls: 3, seconds: 120 + 90 + 60, agentTurns: 3, callerTurns: 3 }]);
    const all = await s.usage({ from: '2026-11-01T00:00:00Z', to: '2027-01-01T00:00:00Z' });
    expect(all.find((u) => u.tenantId === other)).toMatchObject({ calls: 1, seconds: 600 });
  });

  it('deletes transcripts past a tenant\'s retention and keeps the rest of the record', async () => {
    const s = open();
    const t = tenant();
    const old = randomUUID();
    const recent = randomUUID();
    const live = randomUUID();
    for (const [id, at] of [[old, '2026-10-01T10:00:00Z'], [recent, '2026-11-29T10:00:00Z'], [live, '2026-10-01T11:00:00Z']] as const) {
      await s.createCall({ id, tenantId: t, channel: 'text', callerNumber: null, language: 'en', startedAt: at });
      await s.appendTurn(id, { speaker: 'caller', text: 'my address is 12 Elm', at });
      if (id !== live) await s.saveSummary(summaryFor(id, t, { startedAt: at, endedAt: at }));
    }
    expect(await s.purgeTranscripts(t, '2026-11-01T00:00:00Z', '2026-12-01T00:00:00.000Z')).toBe(1);
    const o = (await s.getCall(old))!;
    expect(o.turns).toEqual([]);
    expect(o.summary?.transcript).toEqual([]);
    expect(o.summary?.caller.name).toBe('Ann Lee');
    expect(o.transcriptPurgedAt).toBe('2026-12-01T00:00:00.000Z');
    expect((await s.getCall(recent))!.turns).toHaveLength(1);
    expect((await s.getCall(live))!.turns).toHaveLength(1);
    expect(await s.purgeTranscripts(t, '2026-11-01T00:00:00Z', '2026-12-01T00:00:00.000Z')).toBe(0);
  });

  it('refuses an overlapping appointment for the same technician', async () => {
    const s = open();
    const t = tenant();
    const id = randomUUID();
    await s.createCall({ id, tenantId: t, channel: 'text', callerNumber: null, language: 'en', startedAt: '2026-12-01T10:00:00-05:00' });
    await s.bookAppointment(t, id, { technician: 'Marc', start: '2026-12-02T08:00:00-05:00', end: '2026-12-02T10:00:00-05:00' });
    await expect(s.bookAppointment(t, id, { technician: 'Marc', start: '2026-12-02T09:00:00-05:00', end: '2026-12-02T11:00:00-05:00' })).rejects.toBeInstanceOf(SlotTakenError);
    await s.bookAppointment(t, id, { technician: 'Julie', start: '2026-12-02T09:00:00-05:00', end: '2026-12-02T11:00:00-05:00' });
    expect(await s.appointments(t, '2026-12-02T00:00:00-05:00', '2026-12-03T00:00:00-05:00')).toHaveLength(2);
  });
}
