import { describe, expect, it } from 'vitest';
import { recordProblems } from '../../bench/load/call-records.js';

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
});
