// The call store on real SQLite files: migrations, WAL, written as the call progresses, barge-in truncation,
// appointment overlap refused.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore, SlotTakenError } from '../../src/records/store.js';
import { asyncStore } from '../../src/records/records-store.js';
import { migrate, MIGRATIONS } from '../../src/records/migrations.js';
import { createDialogSession } from '../../src/agent/session.js';
import { loadTestTenant } from './support/scenarios.js';

const dir = mkdtempSync(join(tmpdir(), 'firstring-store-'));

describe('call store', () => {
  it('migrates once, in WAL mode, and reopens an existing file', () => {
    const path = join(dir, 'a', 'calls.db');
    openStore(path).close();
    openStore(path).close();
    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT version FROM schema_migrations').pluck().all()).toEqual(MIGRATIONS.map((m) => m.version));
    expect(migrate(db)).toBe(MIGRATIONS.length);
    db.close();
  });

  it('writes turns as the call progresses, so another reader sees them before the call ends', async () => {
    const path = join(dir, 'progress.db');
    const store = openStore(path);
    const tenant = loadTestTenant('demo');
    const s = createDialogSession({ tenant, channel: 'sip', callerNumber: '+15145550123', language: 'auto', store: asyncStore(store), clock: () => new Date('2026-12-01T15:00:00Z') });
    s.greeting();
    for await (const _ of s.respond('Ma toilette coule')) { /* consume */ }
    const reader = openStore(path);
    const mid = reader.getCall(s.callId)!;
    expect(mid.status).toBe('active');
    expect(mid.summary).toBeNull();
    expect(mid.turns.map((t) => t.speaker)).toEqual(['agent', 'caller', 'agent']);
    expect(mid.turns[1]?.text).toBe('Ma toilette coule');

    // Barge-in: the caller heard only part of the last reply.
    s.commitHeard('Où est le');
    await s.recorded();
    expect(reader.getCall(s.callId)!.turns.at(-1)?.text).toBe('Où est le');
    const summary = await s.end('caller_hangup');
    expect(summary.transcript.at(-1)).toMatchObject({ speaker: 'agent', text: 'Où est le' });
    const done = reader.getCall(s.callId)!;
    expect(done.status).toBe('ended');
    expect(done.summary).toEqual(summary);
    expect(summary.outcome).toBe('abandoned');
    reader.close();
    store.close();
  });

  it('refuses an overlapping appointment for the same technician', () => {
    const store = openStore(':memory:');
    store.createCall({ id: 'c1', tenantId: 'demo', channel: 'text', callerNumber: null, language: 'en', startedAt: '2026-12-01T10:00:00-05:00' });
    store.bookAppointment('demo', 'c1', { technician: 'Marc', start: '2026-12-02T08:00:00-05:00', end: '2026-12-02T10:00:00-05:00' });
    expect(() => store.bookAppointment('demo', 'c1', { technician: 'Marc', start: '2026-12-02T09:00:00-05:00', end: '2026-12-02T11:00:00-05:00' })).toThrow(SlotTakenError);
    store.bookAppointment('demo', 'c1', { technician: 'Julie', start: '2026-12-02T09:00:00-05:00', end: '2026-12-02T11:00:00-05:00' });
    expect(store.appointments('demo', '2026-12-02T00:00:00-05:00', '2026-12-03T00:00:00-05:00')).toHaveLength(2);
    store.close();
  });

  it('a booked slot is not offered to the next caller', async () => {
    const store = openStore(':memory:');
    const tenant = loadTestTenant('demo');
    const clock = (): Date => new Date('2026-12-01T15:00:00Z');
    const book = async (name: string): Promise<{ technician: string; start: string } | undefined> => {
      const s = createDialogSession({ tenant, channel: 'text', callerNumber: '+15145550123', language: 'en', store: asyncStore(store), clock });
      for (const t of ['My furnace makes a noise', 'a gas furnace', 'since Monday', name, 'yes', '5 Pine Avenue, H2W 1S3', 'tomorrow at 8 am', 'yes']) {
        for await (const _ of s.respond(t)) { /* consume */ }
      }
      return (await s.end('caller_hangup')).appointment;
    };
    const techs = [await book('Ann One'), await book('Ben Two'), await book('Cy Three')];
    expect(techs.slice(0, 2).map((a) => a?.technician).sort()).toEqual(['Julie', 'Marc']);
    expect(techs.slice(0, 2).map((a) => a?.start)).toEqual(['2026-12-02T08:00:00-05:00', '2026-12-02T08:00:00-05:00']);
    // Both 8 am slots are taken: the third caller is offered (and accepts) the next free time instead.
    expect(techs[2]?.start).toBe('2026-12-02T10:00:00-05:00');
    store.close();
  });
});

describe('call store sharing', () => {
  it('reuses a call row opened earlier under the same id (media layer first, then the dialog)', async () => {
    const store = openStore(':memory:');
    store.createCall({ id: 'call-1', tenantId: 'demo', channel: 'webrtc', callerNumber: null, language: 'en', startedAt: '2026-12-01T15:00:00.000Z' });
    const s = createDialogSession({ tenant: loadTestTenant('demo'), channel: 'webrtc', callId: 'call-1', language: 'en', store: asyncStore(store), clock: () => new Date('2026-12-01T15:00:01Z') });
    for await (const _ of s.respond('What are your hours?')) { /* consume */ }
    const summary = await s.end('caller_hangup');
    expect(store.getCall('call-1')?.summary).toEqual(summary);
    store.close();
  });
});
