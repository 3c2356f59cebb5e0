import { describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callerSideNote, checkCallRecords, recordProblems } from '../../bench/load/call-records.js';

const turn = (speaker: string, at: string | null = '2026-11-27T10:00:00Z') => ({ speaker, at });

describe('call record completeness (GET /api/v1/calls/{id})', () => {
  it('a record with both speakers, timestamps and an end is complete', () => {
    expect(recordProblems({ id: 'a', startedAt: 'x', endedAt: 'y', turns: [turn('agent'), turn('caller'), turn('agent')] })).toEqual([]);
  });

  it('names what is missing', () => {
    expect(recordProblems({ id: 'a', endedAt: null, turns: [turn('agent', null)] })).toEqual(['no caller turn', 'a turn without timestamp', 'no end time']);
    expect(recordProblems({ id: 'a', endedAt: 'y', turns: [] })).toEqual(['no caller turn', 'no agent turn']);
  });

  it('does not ask for a caller turn from a caller who never spoke', () => {
    expect(recordProblems({ id: 'a', endedAt: 'y', turns: [turn('agent')] }, false)).toEqual([]);
  });

  it('reports a record of the wrong shape instead of throwing', () => {
    expect(recordProblems(null)[0]).toMatch(/unexpected record shape/);
    expect(recordProblems({ id: 1, turns: 'x' })[0]).toMatch(/unexpected record shape/);
  });

  it("names the caller's side of the call beside a problem, so an incomplete record can be traced", async () => {
    const note = callerSideNote({
      durationMs: 21_340,
      outcome: 'ok',
      turns: [
        { language: 'en', gapMs: 780 },
        { language: 'fr', gapMs: null, overlapped: true },
        { language: 'en', gapMs: null },
        { language: 'en', gapMs: 790, bargeInMs: 110 },
      ],
    });
    expect(note).toBe('caller side: 21.3 s, ok, 4 turns (1 without reply, 1 overlapped, 1 barge-ins)');
    expect(callerSideNote({ durationMs: 500, outcome: 'dropped', error: 'ended by gateway', turns: [] })).toBe('caller side: 0.5 s, dropped: ended by gateway, 0 turns (0 without reply, 0 overlapped, 0 barge-ins)');

    const server: Server = createServer((req, res) => {
      const body = req.url?.endsWith('/whole') ? { id: 'whole', endedAt: 'y', turns: [turn('agent'), turn('caller')] } : { id: 'cut', endedAt: 'y', turns: [turn('agent')] };
      res.setHeader('content-type', 'application/json').end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const check = await checkCallRecords(url, [
        { id: 'whole', callerSpoke: true, callerSide: 'x' },
        { id: 'cut', callerSpoke: true, callerSide: note },
      ]);
      expect(check.checked).toBe(2);
      expect(check.incomplete).toEqual([`cut: no caller turn (${note})`]);
    } finally {
      server.close();
    }
  });
});
