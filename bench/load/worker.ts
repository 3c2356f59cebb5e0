/**
 * A caller worker process: runs the calls the orchestrator hands it (several per
 * process), reports each call's result and, every interval, its own CPU and event-loop
 * delay so the report can tell when the load generator itself was saturated.
 * Started by orchestrator.ts with an IPC channel; not meant to be run by hand.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { runCall } from './call-script.js';
import { loadUtterances } from './talk-pattern.js';
import { loadTransport } from './transports/registry.js';
import type { FromWorker, ToWorker, WorkerConfig } from './worker-messages.js';

const send = (m: FromWorker): void => {
  process.send?.(m);
};

if (!process.send) {
  console.error('bench/load/worker.ts runs under the orchestrator (IPC channel missing)');
  process.exit(2);
}

const config = JSON.parse(process.env.BENCH_WORKER_CONFIG ?? 'null') as WorkerConfig | null;
if (!config) {
  send({ t: 'error', message: 'BENCH_WORKER_CONFIG missing' });
  process.exit(2);
}
const transport = await loadTransport(config.transport);
const utterances = loadUtterances(config.utterancesPath);
transport.prepare?.([...Object.values(utterances.turns).flat(), ...Object.values(utterances.bargeIns)]);
const active = new Set<AbortController>();

const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
let lastCpu = process.cpuUsage();
let lastAt = performance.now();
setInterval(() => {
  const cpu = process.cpuUsage(lastCpu);
  const at = performance.now();
  send({
    t: 'stats',
    at: performance.timeOrigin + at,
    cpuPct: ((cpu.user + cpu.system) / 1000 / (at - lastAt)) * 100,
    lagP99Ms: lag.percentile(99) / 1e6,
    lagMaxMs: lag.max / 1e6,
    active: active.size,
    rssBytes: process.memoryUsage.rss(),
  });
  lag.reset();
  lastCpu = process.cpuUsage();
  lastAt = at;
}, config.statsIntervalMs).unref();

process.on('message', (m: ToWorker) => {
  if (m.t === 'call') {
    const ac = new AbortController();
    active.add(ac);
    runCall(m.index, { transport, url: config.url, tenant: config.tenant, origin: config.origin, pattern: config.pattern, utterances, signal: ac.signal })
      .then((result) => send({ t: 'result', result }))
      .finally(() => active.delete(ac));
  } else if (m.t === 'stop') {
    for (const ac of active) ac.abort();
  } else if (m.t === 'exit') {
    for (const ac of active) ac.abort();
    const done = (): void => {
      if (active.size === 0) process.exit(0);
      else setTimeout(done, 50);
    };
    done();
  }
});
// A werift rejection racing a hang-up must not end every call of this worker; the first few are shown.
let rejections = 0;
process.on('unhandledRejection', (err) => {
  if (rejections++ < 3) console.error(`caller worker ${process.pid}: unhandled rejection: ${String(err)}`);
});
send({ t: 'ready' });
