import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import autocannon, { type Options as CannonOptions, type Result as CannonResult } from 'autocannon';
import { startLocalGateway, startNodeScript, type LocalProcess } from '../load/local-gateway.js';
import type { ApiResult, RouteFigures, WsFigures } from './types.js';
import { latencyFigures, wsConnectRate } from './ws-connect.js';

export const API_USAGE = `npm run bench -- api [options]
  --url URL              gateway to load (default: start a local one); the bare route is always local
  --tenant demo          tenant for tokens and conversations
  --origin URL           Origin header for tokens and signaling (default: the gateway URL)
  --connections 10       autocannon connections per route
  --duration 5           seconds per route
  --rounds 2             runs of every shape, bare and gateway interleaved; the best run is kept
  --ws-concurrency 10 --ws-max 1000 --ws-seconds 5   WebSocket connect loop bounds
  --gateway-cpus 0 --load-cpus 1   taskset: gateway and bare route on one, autocannon on the other
  --name api --out bench/results`;

export interface ApiBenchOptions {
  name: string;
  url?: string;
  tenant: string;
  origin?: string;
  connections: number;
  durationS: number;
  /** Each shape runs this many times (interleaved); the best run is kept. */
  rounds: number;
  ws: { concurrency: number; max: number; seconds: number };
  gatewayCpus?: string;
  loadCpus?: string;
  log?: (l: string) => void;
}

export function parseApiArgs(argv: string[]): { options: ApiBenchOptions; out: string } {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      url: { type: 'string' },
      tenant: { type: 'string', default: 'demo' },
      origin: { type: 'string' },
      connections: { type: 'string', default: '10' },
      duration: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '2' },
      'ws-concurrency': { type: 'string', default: '10' },
      'ws-max': { type: 'string', default: '1000' },
      'ws-seconds': { type: 'string', default: '5' },
      'gateway-cpus': { type: 'string' },
      'load-cpus': { type: 'string' },
      name: { type: 'string', default: 'api' },
      out: { type: 'string', default: 'bench/results' },
    },
  });
  const int = (name: string, v: string | undefined, min: number, max: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer in [${min}, ${max}], got "${v}"`);
    return n;
  };
  if (values.url !== undefined && !/^https?:\/\/[^\s/]+\/?$/.test(values.url)) throw new Error(`--url must be http(s)://host[:port], got "${values.url}"`);
  return {
    out: values.out as string,
    options: {
      name: values.name as string,
      url: values.url?.replace(/\/$/, ''),
      tenant: values.tenant as string,
      origin: values.origin,
      connections: int('connections', values.connections, 1, 1000),
      durationS: int('duration', values.duration, 1, 600),
      rounds: int('rounds', values.rounds, 1, 10),
      ws: { concurrency: int('ws-concurrency', values['ws-concurrency'], 1, 500), max: int('ws-max', values['ws-max'], 1, 100_000), seconds: int('ws-seconds', values['ws-seconds'], 1, 600) },
      gatewayCpus: values['gateway-cpus'],
      loadCpus: values['load-cpus'],
    },
  };
}

function figures(name: string, target: RouteFigures['target'], connections: number, r: CannonResult): RouteFigures {
  return {
    name,
    target,
    connections,
    durationS: r.duration,
    requests: r.requests.total,
    rps: r.requests.total / (r.duration || 1),
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

async function cannon(o: CannonOptions): Promise<CannonResult> {
  return autocannon({ timeout: 10, ...o });
}

async function postJson(url: string, body: unknown, origin: string): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json().catch(() => null) };
}

/**
 * Loads the gateway's token issue, conversation start and conversation turn routes
 * with autocannon, and its signaling WebSocket with a bounded connect loop; runs the
 * same shapes against a bare uWebSockets.js process in the same run and reports ratios.
 */
export async function runApiBench(o: ApiBenchOptions): Promise<ApiResult> {
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const owned: LocalProcess[] = [];
  try {
    if (o.loadCpus) execFileSync('taskset', ['-a', '-p', '-c', o.loadCpus, String(process.pid)], { stdio: 'ignore' });
    let url = o.url;
    if (!url) {
      const gw = await startLocalGateway({ cpus: o.gatewayCpus });
      owned.push(gw);
      url = gw.url;
      log(`local gateway ${url} (pid ${gw.pid})`);
    }
    const bare = await startNodeScript('bench/api/bare-uws.ts', [], { ready: /^BARE (\d+)$/, what: 'bare uWebSockets.js route', cpus: o.gatewayCpus });
    owned.push(bare);
    const bareUrl = `http://127.0.0.1:${bare.match}`;
    const origin = o.origin ?? url;
    const c = o.connections;
    const d = o.durationS;
    // Each shape runs once per round, bare and gateway back to back; the best round of each is kept
    // (on a shared machine the least-disturbed run is the closest to the capacity).
    const routes = new Map<string, RouteFigures>();
    const ws = new Map<string, WsFigures>();
    const run = async (name: string, target: RouteFigures['target'], opts: CannonOptions): Promise<void> => {
      const f = figures(name, target, c, await cannon({ connections: c, duration: d, ...opts }));
      const prev = routes.get(name);
      if (!prev || f.rps > prev.rps) routes.set(name, f);
      log(`${target} ${name}: ${f.rps.toFixed(0)} req/s, p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms, non-2xx ${f.non2xx}, errors ${f.errors}`);
    };
    const wsRun = async (name: string, target: WsFigures['target'], urlFor: (i: number) => string, wsOrigin?: string): Promise<void> => {
      const r = await wsConnectRate({ url: urlFor, origin: wsOrigin, concurrency: o.ws.concurrency, maxCount: o.ws.max, maxMs: o.ws.seconds * 1000 });
      const f: WsFigures = {
        name,
        target,
        concurrency: o.ws.concurrency,
        attempted: r.attempted,
        connected: r.connected,
        failed: r.failed,
        ...(r.failed > 0 ? { failures: r.failures } : {}),
        durationS: r.durationS,
        perS: r.connected / (r.durationS || 1),
        latencyMs: latencyFigures(r.latenciesMs),
      };
      const prev = ws.get(name);
      if (!prev || f.perS > prev.perS) ws.set(name, f);
      const why = r.failed > 0 ? `, failed: ${Object.entries(r.failures).map(([k, v]) => `${k} ×${v}`).join(', ')}` : '';
      log(`${target} ${name}: ${f.perS.toFixed(0)} connects/s (${f.connected}/${f.attempted}), connect→welcome p50 ${f.latencyMs.p50.toFixed(2)} ms${why}`);
    };

    // Turns: one conversation per connection at a time (a second turn on a busy conversation is a 409).
    const free: string[] = [];
    for (let i = 0; i < c * 4; i++) {
      const r = await postJson(`${url}/api/v1/tenants/${o.tenant}/conversations`, { language: 'en' }, origin);
      const id = (r.json as { conversationId?: string } | null)?.conversationId;
      if (r.status !== 201 || !id) throw new Error(`cannot start a conversation for the turn bench: HTTP ${r.status}`);
      free.push(id);
    }
    const texts = ['My furnace stopped working this morning.', 'What are your hours on Saturday?', 'Can someone come tomorrow afternoon?'];
    let k = 0;
    const gwUrl = url;
    const names = {
      bareGet: 'GET /hello',
      barePost: 'POST /json',
      health: 'GET /healthz',
      tokens: 'POST /api/v1/tokens',
      convStart: `POST /api/v1/tenants/${o.tenant}/conversations`,
      turns: 'POST /api/v1/conversations/{id}/turns',
      bareWs: 'WS /ws (welcome)',
      gwWs: 'WS /ws/webrtc (welcome)',
    };
    for (let round = 1; round <= o.rounds; round++) {
      log(`round ${round}/${o.rounds}`);
      await run(names.bareGet, 'bare', { url: `${bareUrl}/hello` });
      await run(names.health, 'gateway', { url: `${gwUrl}/healthz` });
      await run(names.barePost, 'bare', { url: `${bareUrl}/json`, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tenant: o.tenant }) });
      await run(names.tokens, 'gateway', { url: `${gwUrl}/api/v1/tokens`, method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ tenant: o.tenant }) });
      await run(names.convStart, 'gateway', {
        url: `${gwUrl}/api/v1/tenants/${o.tenant}/conversations`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ language: 'en' }),
      });
      await run(names.turns, 'gateway', {
        url: gwUrl,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            setupRequest: (req, ctx) => {
              const id = free.shift() ?? '';
              ctx.id = id;
              return { ...req, path: `/api/v1/conversations/${id}/turns`, body: JSON.stringify({ text: texts[k++ % texts.length] }) };
            },
            onResponse: (_status, _body, ctx) => {
              if (typeof ctx.id === 'string' && ctx.id) free.push(ctx.id);
            },
          },
        ],
      });
      await wsRun(names.bareWs, 'bare', () => `${bareUrl.replace(/^http/, 'ws')}/ws`);
      // Call tokens are single-use: issue them before the timed loop so it measures the socket only.
      const issued: string[] = [];
      const need = Math.min(o.ws.max, o.ws.seconds * 2000);
      for (let i = 0; i < need; i += 20) {
        const batch = await Promise.all(Array.from({ length: Math.min(20, need - i) }, () => postJson(`${gwUrl}/api/v1/tokens`, { tenant: o.tenant }, origin)));
        for (const b of batch) {
          const t = (b.json as { token?: string } | null)?.token;
          if (b.status !== 200 || !t) throw new Error(`token refused for the WebSocket bench: HTTP ${b.status}`);
          issued.push(t);
        }
      }
      await wsRun(names.gwWs, 'gateway', (i) => `${gwUrl.replace(/^http/, 'ws')}/ws/webrtc?token=${encodeURIComponent(issued[i] ?? '')}`, origin);
    }
    const rps = (name: string): number => routes.get(name)?.rps ?? Number.NaN;
    const perS = (name: string): number => ws.get(name)?.perS ?? Number.NaN;

    const ratio = (a: number, b: number): number => (b > 0 ? a / b : Number.NaN);
    return {
      name: o.name,
      kind: 'api',
      startedAt: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version, loadAvg: loadavg() },
      config: { ...o, log: undefined, url: o.url ?? 'local', gatewayCpus: o.gatewayCpus ?? null, loadCpus: o.loadCpus ?? null },
      routes: [...routes.values()],
      ws: [...ws.values()],
      ratios: [
        { what: 'GET /healthz vs GET /hello', ratio: ratio(rps(names.health), rps(names.bareGet)) },
        { what: 'POST /api/v1/tokens vs POST /json', ratio: ratio(rps(names.tokens), rps(names.barePost)) },
        { what: 'conversation start vs POST /json', ratio: ratio(rps(names.convStart), rps(names.barePost)) },
        { what: 'conversation turn vs POST /json', ratio: ratio(rps(names.turns), rps(names.barePost)) },
        { what: 'WS connect /ws/webrtc vs /ws', ratio: ratio(perS(names.gwWs), perS(names.bareWs)) },
      ],
    };
  } finally {
    for (const p of owned.reverse()) await p.stop();
  }
}
