import { describe, expect, it } from 'vitest';
import { parseApiArgs } from '../../bench/api/run-api.js';

describe('api options', () => {
  it('has bounded defaults', () => {
    const { options, out } = parseApiArgs([]);
    expect(out).toBe('bench/results');
    expect(options).toMatchObject({ name: 'api', tenant: 'demo', connections: 10, durationS: 5, rounds: 2, ws: { concurrency: 10, max: 1000, seconds: 5 } });
    expect(options.url).toBeUndefined();
  });

  it('refuses unbounded or malformed values', () => {
    expect(() => parseApiArgs(['--duration', '0'])).toThrow(/--duration must be an integer in \[1, 600\]/);
    expect(() => parseApiArgs(['--ws-max', '1e9'])).toThrow(/--ws-max/);
    expect(() => parseApiArgs(['--rounds', '2.5'])).toThrow(/--rounds/);
    expect(() => parseApiArgs(['--url', 'gw.example.com'])).toThrow(/--url must be/);
  });
});
