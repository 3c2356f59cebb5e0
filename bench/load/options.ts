import { parseArgs } from 'node:util';
import { DEFAULT_CRITERIA } from './results.js';
import { parseLanguages } from './talk-pattern.js';
import type { CallBenchOptions, CallMode } from './run-calls.js';

export const CALLS_USAGE = `npm run bench -- calls [options]
  --mode calls|capacity|soak   fixed steps, capacity search, or soak (default calls)
  --url URL                    gateway to load (default: start a local one on a free port)
  --transport webrtc           caller transport (bench/load/transports/<name>.ts): webrtc (werift
                               RTP, Opus per frame) or webrtc-lean (native SRTP, pre-encoded Opus)
  --tenant demo  --origin URL  tenant, and Origin for tokens and signaling (default: the URL)
  --api-key KEY                key to read call records for the soak check (default: $FIRSTRING_API_KEY;
                               a local gateway gets a generated operator key)
  --concurrency 1,10,50        calls: N of each step; soak: the N (default 1)
  --duration 30                seconds per step (soak: the whole soak)
  --warmup 0                   soak: seconds at the full load before the RSS trend window opens
                               (the slope over the whole soak is reported too)
  --ramp 5                     new calls per second
  --hold 0                     seconds each call lasts (0: until the step ends)
  --turns 0                    caller turns per call, then hang up (0: as many as the hold allows)
  --languages en,fr            caller utterance languages, cycled per turn
  --pause-ms 800               pause after each agent reply
  --barge-in-every 3           barge in on every k-th reply (0: never)
  --barge-in-at-ms 800         how far into the reply
  --workers 2                  caller worker processes
  --start 10 --step 10 --max 300   capacity: concurrency steps after the 1-call baseline
  --max-overrun-pct 0.1 --max-pacing-p99-ms 5 --max-gap-factor 1.2   capacity criteria
  --gateway-cpus 0 --load-cpus 1   taskset pinning (local gateway; caller workers)
  --stub-ttft-ms 0 --stub-ttfb-ms 0 --stub-stt-ms 0   local OpenAI stub delays
  --sample-ms 1000             /metrics sampling period
  --name calls --out bench/results`;

const num = (name: string, v: string | undefined, min: number, integer = false): number => {
  const n = Number(v);
  if (v === undefined || v.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got "${v}"`);
  }
  return n;
};

export interface ParsedCalls {
  options: CallBenchOptions;
  out: string;
}

export function parseCallsArgs(argv: string[]): ParsedCalls {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      mode: { type: 'string', default: 'calls' },
      url: { type: 'string' },
      transport: { type: 'string', default: 'webrtc' },
      tenant: { type: 'string', default: 'demo' },
      origin: { type: 'string' },
      'api-key': { type: 'string' },
      concurrency: { type: 'string', default: '1' },
      duration: { type: 'string', default: '30' },
      ramp: { type: 'string', default: '5' },
      hold: { type: 'string', default: '0' },
      warmup: { type: 'string', default: '0' },
      turns: { type: 'string', default: '0' },
      languages: { type: 'string', default: 'en,fr' },
      'pause-ms': { type: 'string', default: '800' },
      'barge-in-every': { type: 'string', default: '3' },
      'barge-in-at-ms': { type: 'string', default: '800' },
      workers: { type: 'string', default: '2' },
      start: { type: 'string', default: '10' },
      step: { type: 'string', default: '10' },
      max: { type: 'string', default: '300' },
      'max-overrun-pct': { type: 'string', default: String(DEFAULT_CRITERIA.maxTickOverrunRatio * 100) },
      'max-pacing-p99-ms': { type: 'string', default: String(DEFAULT_CRITERIA.maxPacingJitterP99Ms) },
      'max-gap-factor': { type: 'string', default: String(DEFAULT_CRITERIA.maxTurnGapP95Factor) },
      'gateway-cpus': { type: 'string' },
      'load-cpus': { type: 'string' },
      'stub-ttft-ms': { type: 'string', default: '0' },
      'stub-ttfb-ms': { type: 'string', default: '0' },
      'stub-stt-ms': { type: 'string', default: '0' },
      'sample-ms': { type: 'string', default: '1000' },
      name: { type: 'string' },
      out: { type: 'string', default: 'bench/results' },
    },
  });
  const mode = values.mode as CallMode;
  if (!['calls', 'capacity', 'soak'].includes(mode)) throw new Error(`--mode must be calls, capacity or soak, got "${values.mode}"`);
  if (values.url !== undefined && !/^https?:\/\/[^\s/]+\/?$/.test(values.url)) throw new Error(`--url must be http(s)://host[:port], got "${values.url}"`);
  const concurrency = (values.concurrency as string).split(',').map((s) => num('concurrency', s, 1, true));
  const duration = num('duration', values.duration, 1);
  const hold = num('hold', values.hold, 0);
  const warmup = num('warmup', values.warmup, 0);
  if (mode === 'soak' && warmup >= duration) throw new Error(`--warmup (${warmup} s) must be shorter than the soak's --duration (${duration} s)`);
  return {
    out: values.out as string,
    options: {
      name: values.name ?? mode,
      mode,
      url: values.url?.replace(/\/$/, ''),
      transport: values.transport as string,
      tenant: values.tenant as string,
      origin: values.origin,
      apiKey: values['api-key'] ?? process.env.FIRSTRING_API_KEY,
      workers: num('workers', values.workers, 1, true),
      concurrency,
      stepDurationMs: duration * 1000,
      rampPerS: num('ramp', values.ramp, 0.01),
      soakWarmupMs: warmup * 1000,
      pattern: {
        languages: parseLanguages(values.languages as string),
        pauseMs: num('pause-ms', values['pause-ms'], 0),
        bargeInEvery: num('barge-in-every', values['barge-in-every'], 0, true),
        bargeInAtMs: num('barge-in-at-ms', values['barge-in-at-ms'], 0),
        holdMs: hold > 0 ? hold * 1000 : duration * 1000 + 60_000,
        maxTurns: num('turns', values.turns, 0, true),
      },
      capacity: {
        start: num('start', values.start, 2, true),
        step: num('step', values.step, 1, true),
        max: num('max', values.max, 2, true),
        criteria: {
          maxTickOverrunRatio: num('max-overrun-pct', values['max-overrun-pct'], 0) / 100,
          maxPacingJitterP99Ms: num('max-pacing-p99-ms', values['max-pacing-p99-ms'], 0),
          maxTurnGapP95Factor: num('max-gap-factor', values['max-gap-factor'], 1),
        },
      },
      gatewayCpus: values['gateway-cpus'],
      loadCpus: values['load-cpus'],
      stub: { ttftMs: num('stub-ttft-ms', values['stub-ttft-ms'], 0), ttfbMs: num('stub-ttfb-ms', values['stub-ttfb-ms'], 0), transcriptionDelayMs: num('stub-stt-ms', values['stub-stt-ms'], 0) },
      sampleMs: num('sample-ms', values['sample-ms'], 100, true),
    },
  };
}
