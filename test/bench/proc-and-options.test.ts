import { describe, expect, it } from 'vitest';
import { parseCallsArgs } from '../../bench/load/options.js';
import { pinned } from '../../bench/load/local-gateway.js';
import { coreUtilisation, cpuJiffies, parseProcStat, threadTimes, threadUtilisation } from '../../bench/load/proc-cpu.js';
import { parseLanguages } from '../../bench/load/talk-pattern.js';

describe('/proc parsing', () => {
  it('reads utime+stime after a command name holding spaces and parentheses', () => {
    const line = '4242 (node (media) 1) S 1 2 3 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 123 456 789';
    expect(parseProcStat(line)).toEqual({ tid: 4242, name: 'node (media) 1', cpuS: 3 });
    expect(() => parseProcStat('garbage')).toThrow(/comm/);
  });

  it('reads this process threads and per-core jiffies', () => {
    const t = threadTimes(process.pid);
    expect(t.length).toBeGreaterThan(0);
    expect(t.some((x) => x.tid === process.pid)).toBe(true);
    expect(threadTimes(2 ** 30)).toEqual([]);
    const stat = 'cpu  10 0 10 80 0 0 0 0 0 0\ncpu0 5 0 5 40 0 0 0 0 0 0\ncpu1 5 0 5 40 0 0 0 0 0 0\n';
    const after = 'cpu0 55 0 5 90 0 0 0 0 0 0\ncpu1 5 0 5 140 0 0 0 0 0 0\n';
    expect(coreUtilisation(cpuJiffies(stat), cpuJiffies(after))).toEqual([50, 0]);
  });

  it('ranks threads by CPU over a window', () => {
    const before = [{ tid: 1, name: 'node', cpuS: 1 }, { tid: 2, name: 'node', cpuS: 1 }];
    const after = [{ tid: 1, name: 'node', cpuS: 1.5 }, { tid: 2, name: 'node', cpuS: 3 }, { tid: 3, name: 'new', cpuS: 9 }];
    expect(threadUtilisation(before, after, 2)).toEqual([
      { tid: 2, name: 'node', pct: 100 },
      { tid: 1, name: 'node', pct: 25 },
      { tid: 3, name: 'new', pct: 0 },
    ]);
  });
});

describe('calls options', () => {
  it('has usable defaults', () => {
    const { options, out } = parseCallsArgs([]);
    expect(out).toBe('bench/results');
    expect(options).toMatchObject({ mode: 'calls', transport: 'webrtc', tenant: 'demo', workers: 2, concurrency: [1], stepDurationMs: 30_000 });
    expect(options.url).toBeUndefined();
    expect(options.soakWarmupMs).toBe(0);
    expect(options.pattern.languages).toEqual(['en', 'fr']);
    expect(options.capacity.criteria).toEqual({ maxTickOverrunRatio: 0.001, maxPacingJitterP99Ms: 5, maxTurnGapP95Factor: 1.2 });
  });

  it('parses a capacity run against a remote gateway', () => {
    const { options } = parseCallsArgs(['--mode', 'capacity', '--url', 'https://gw.example.com:8443/', '--start', '20', '--step', '20', '--max', '200', '--hold', '45', '--languages', 'fr']);
    expect(options.url).toBe('https://gw.example.com:8443');
    expect(options.capacity).toMatchObject({ start: 20, step: 20, max: 200 });
    expect(options.pattern.holdMs).toBe(45_000);
    expect(options.pattern.maxTurns).toBe(0);
    expect(options.pattern.languages).toEqual(['fr']);
  });

  it('refuses bad values with the option name', () => {
    expect(() => parseCallsArgs(['--concurrency', '10,x'])).toThrow(/--concurrency must be an integer/);
    expect(() => parseCallsArgs(['--mode', 'storm'])).toThrow(/--mode must be/);
    expect(() => parseCallsArgs(['--url', 'ftp://x'])).toThrow(/--url must be/);
    expect(() => parseCallsArgs(['--ramp', '0'])).toThrow(/--ramp/);
    expect(() => parseCallsArgs(['--bogus'])).toThrow(/Unknown option/);
    expect(() => parseCallsArgs(['--mode', 'soak', '--duration', '600', '--warmup', '600'])).toThrow(/--warmup \(600 s\) must be shorter/);
    expect(parseCallsArgs(['--mode', 'soak', '--duration', '900', '--warmup', '300']).options.soakWarmupMs).toBe(300_000);
    expect(() => parseLanguages('en,de')).toThrow(/unknown language "de"/);
  });

  it('pins with taskset only when asked, and refuses a malformed CPU list', () => {
    expect(pinned(undefined, 'node', ['a'])).toEqual(['node', ['a']]);
    expect(pinned('0,1', 'node', ['a'])).toEqual(['taskset', ['-c', '0,1', 'node', 'a']]);
    expect(() => pinned('0; rm', 'node', [])).toThrow(/bad CPU list/);
  });
});
