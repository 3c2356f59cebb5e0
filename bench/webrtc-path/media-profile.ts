/**
 * Per-packet cost breakdown of a media worker from one profile window of
 * src/observability/thread-profiler.ts (`FIRSTRING_MEDIA_CPU_PROF=<dir>` on a gateway under
 * the call bench): the `.cpuprofile` samples are grouped into the media path's stages, each
 * sample by the innermost stage on its stack, and scaled to the thread's measured CPU time
 * (/proc, in the `.window.json`), since on a shared core the sampler's wall-clock deltas also
 * count time the thread spent off the CPU. Costs are µs of worker CPU per call per 20 ms tick
 * (what a core's 20,000 µs per tick is divided by), and per packet for the stages paid per
 * received caller packet or per sent agent packet.
 *
 *   node --import tsx bench/webrtc-path/media-profile.ts <window.json> [--out bench/results/profile-<name>.json] [--markdown]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ProfileWindow } from '../../src/observability/thread-profiler.js';
import type { CpuProfile } from './profile-summary.js';

interface Stage {
  key: string;
  label: string;
  /** Per what the stage's cost is best read. */
  per: 'received packet' | 'sent packet' | 'packet in or out' | 'call-frame' | 'turn-driven';
  match: (fn: string, url: string) => boolean;
}

const src = (file: string) => (url: string) => url.endsWith(`/src/${file}`);
const fnIn = (name: string, file: string) => (fn: string, url: string) => fn === name && url.endsWith(`/src/${file}`);

/** Innermost match wins, so specific stages (SRTP) come out of their callers (the lean path). */
const STAGES: Stage[] = [
  {
    key: 'opus_encode',
    label: 'Opus encode of the agent frame (libopus: @discordjs/opus or the addon)',
    per: 'sent packet',
    match: (f, u) => fnIn('encode', 'media/opus-codec.ts')(f, u) || fnIn('encode', 'media/native-opus-encoder.ts')(f, u),
  },
  {
    key: 'srtp_protect',
    label: 'SRTP protect (native), with its sendto on the lean path',
    per: 'sent packet',
    match: (f, u) => (f === 'protectRtp' || f === 'protectRtpSendTo') && u.endsWith('/src/media/native-srtp.ts'),
  },
  { key: 'srtp_unprotect', label: 'SRTP unprotect (native)', per: 'received packet', match: (f, u) => f === 'unprotectRtp' && u.endsWith('/src/media/native-srtp.ts') },
  { key: 'engine_pull', label: 'jitter buffer playout + Opus decode (native pull)', per: 'call-frame', match: fnIn('pull', 'media/media-engine.ts') },
  { key: 'engine_analyze', label: 'concealment + VAD + barge-in (native analyze)', per: 'call-frame', match: fnIn('analyze', 'media/media-engine.ts') },
  {
    key: 'engine_receive',
    label: 'socket reads: recvmmsg, SRTP unprotect, jitter-buffer push (native receive, RTP_RECEIVE=engine)',
    per: 'received packet',
    match: fnIn('receive', 'media/media-engine.ts'),
  },
  { key: 'engine_ingest', label: 'jitter buffer ingest (native, all packets of a tick)', per: 'received packet', match: fnIn('ingest', 'media/media-engine.ts') },
  { key: 'js_decode', label: 'Opus decode in JS (@discordjs/opus, OPUS_CODEC=js)', per: 'call-frame', match: fnIn('decode', 'media/opus-codec.ts') },
  { key: 'lean_send', label: 'RTP send: header, copy, dgram send (lean path)', per: 'sent packet', match: fnIn('send', 'media/lean-rtp-path.ts') },
  { key: 'lean_receive', label: 'RTP receive: demultiplex, header, receiver stats, enqueue (lean path)', per: 'received packet', match: (f, u) => u.endsWith('/src/media/lean-rtp-path.ts') || u.endsWith('/src/media/webrtc-jitter-engine.ts') && f === 'enqueue' },
  { key: 'werift', label: 'werift: STUN consent, DTLS, RTCP (SR/RR), timers', per: 'call-frame', match: (_, u) => u.includes('/node_modules/werift') },
  { key: 'dgram', label: 'UDP receive and send in Node (dgram, libuv)', per: 'packet in or out', match: (_, u) => u === 'node:dgram' || u === 'node:internal/dgram' },
  { key: 'gc', label: 'garbage collector', per: 'call-frame', match: (f) => f === '(garbage collector)' },
  { key: 'messaging', label: 'postMessage to the main thread (marks, transcripts, traces, stats)', per: 'turn-driven', match: (f) => f === 'postMessage' },
  {
    key: 'pipeline',
    label: 'speech pipeline, providers (STT/TTS/LLM HTTP clients), dialog, records',
    per: 'turn-driven',
    match: (_, u) =>
      ['/src/pipeline/', '/src/providers/', '/src/agent/', '/src/records/', '/src/delivery/'].some((d) => u.includes(d)) ||
      ['/node_modules/openai/', '/node_modules/better-sqlite3/', '/node_modules/luxon/', 'undici', 'webstreams', 'node:internal/fetch'].some((d) => u.includes(d)),
  },
  { key: 'media_js', label: 'media tick JS (sessions, pacer, engine glue, handler hand-off)', per: 'call-frame', match: (_, u) => u.includes('/src/media/') },
  { key: 'profiler', label: 'the profiler itself', per: 'turn-driven', match: (_, u) => u.includes('/src/observability/thread-profiler.ts') || u === 'node:inspector' },
];

export interface StageCost {
  key: string;
  label: string;
  per: Stage['per'];
  /** Share of the thread's busy samples. */
  percent: number;
  /** Worker CPU per call per 20 ms tick, µs. */
  usPerCallTick: number;
  /** Worker CPU per unit of `per` (a received or sent packet), µs; absent for per-call-frame and turn-driven stages. */
  usPerPacket?: number;
}

export interface MediaProfileBreakdown {
  window: Pick<ProfileWindow, 'startedAt' | 'wallMs' | 'threadCpuMs' | 'callsAtStart' | 'callsAtEnd' | 'counters' | 'gc'>;
  /** Worker CPU per call per 20 ms tick, all stages, µs. */
  usPerCallTick: number;
  /** Caller packets received and agent packets sent per call per tick (1.0 = a packet every 20 ms). */
  receivedPerCallTick: number;
  sentPerCallTick: number;
  /** Share of one core the worker used over the window. */
  coreShare: number;
  stages: StageCost[];
}

export function breakdown(profile: CpuProfile, w: ProfileWindow): MediaProfileBreakdown {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageOf = new Map<number, string>();
  const classify = (id: number): string => {
    const known = stageOf.get(id);
    if (known) return known;
    const n = byId.get(id);
    let stage = 'other';
    if (n) {
      const { functionName, url } = n.callFrame;
      if (functionName === '(idle)') stage = 'idle';
      else {
        const hit = STAGES.find((s) => s.match(functionName, url));
        if (hit) stage = hit.key;
        else {
          const p = parent.get(id);
          if (p !== undefined) stage = classify(p);
        }
      }
    }
    stageOf.set(id, stage);
    return stage;
  };
  const time = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const s = classify(id);
    time.set(s, (time.get(s) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  time.delete('idle');
  const busy = [...time.values()].reduce((a, b) => a + b, 0);
  const cpuUs = (w.threadCpuMs ?? busy / 1000) * 1000;
  const rx = w.counters.packetsIn ?? 0;
  const tx = w.counters.framesOut ?? 0;
  const callTicks = Math.max((w.counters.ticks ?? 0) * w.callsAtStart, 1);
  const all = [...STAGES, { key: 'other', label: 'other (event loop, timers, Node internals)', per: 'call-frame' as const, match: () => false }];
  const stages = all
    .map((s): StageCost => {
      const share = (time.get(s.key) ?? 0) / busy;
      const us = share * cpuUs;
      const c: StageCost = { key: s.key, label: s.label, per: s.per, percent: +(share * 100).toFixed(1), usPerCallTick: +(us / callTicks).toFixed(2) };
      if (s.per === 'sent packet' && tx > 0) c.usPerPacket = +(us / tx).toFixed(2);
      if (s.per === 'received packet' && rx > 0) c.usPerPacket = +(us / rx).toFixed(2);
      if (s.per === 'packet in or out' && rx + tx > 0) c.usPerPacket = +(us / (rx + tx)).toFixed(2);
      return c;
    })
    .filter((s) => s.percent > 0)
    .sort((a, b) => b.percent - a.percent);
  return {
    window: { startedAt: w.startedAt, wallMs: w.wallMs, threadCpuMs: w.threadCpuMs, callsAtStart: w.callsAtStart, callsAtEnd: w.callsAtEnd, counters: w.counters, gc: w.gc },
    usPerCallTick: +(cpuUs / callTicks).toFixed(1),
    receivedPerCallTick: +(rx / callTicks).toFixed(2),
    sentPerCallTick: +(tx / callTicks).toFixed(2),
    coreShare: +(cpuUs / 1000 / w.wallMs).toFixed(3),
    stages,
  };
}

export function markdownTable(b: MediaProfileBreakdown): string {
  const rows = b.stages.map((s) => `| ${s.label} | ${s.per} | ${s.usPerCallTick.toFixed(1)} | ${s.usPerPacket !== undefined ? s.usPerPacket.toFixed(1) : ''} | ${s.percent.toFixed(1)} |`);
  return ['| stage | paid per | µs CPU per call per 20 ms | µs per packet | % of worker CPU |', '|---|---|---:|---:|---:|', ...rows, `| **total** | | **${b.usPerCallTick.toFixed(1)}** | | 100 |`].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' }, markdown: { type: 'boolean' } } });
  const windowFile = positionals[0];
  if (!windowFile) throw new Error('usage: media-profile.ts <window.json> [--out file.json] [--markdown]');
  const w = JSON.parse(readFileSync(windowFile, 'utf8')) as ProfileWindow;
  const profile = JSON.parse(readFileSync(w.profileFile, 'utf8')) as CpuProfile;
  const b = breakdown(profile, w);
  if (values.out) writeFileSync(values.out, JSON.stringify(b, null, 2));
  console.log(values.markdown ? markdownTable(b) : JSON.stringify(b, null, 2));
}
