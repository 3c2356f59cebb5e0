/**
 * Per-packet cost breakdown from a V8 .cpuprofile (Profiler.stop / `node --cpu-prof`).
 *
 * werift's ESM entry is one esbuild bundle (lib/index.mjs) that keeps a
 * `// ../rtp/src/srtp/cipher/ctr.ts`-style comment before each source module; a frame's
 * line number is mapped back to that module so the costs read in werift's own file names.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface CostEntry {
  /** function (module or file:line) */
  name: string;
  /** share of the profile's non-idle samples */
  percent: number;
  /** sampled main-thread time per packet (wall clock between samples) */
  usPerPacket: number;
}

export interface ProfileSummary {
  /** non-idle sampled (wall-clock) time on the main thread per packet */
  sampledUsPerPacket: number;
  /** self time by werift source module / Node internal / native bucket */
  byModule: CostEntry[];
  /** self time by function */
  topSelf: CostEntry[];
  /** time including callees, for werift and bridge functions on the packet path */
  topInclusive: CostEntry[];
  /** the same for SRTP functions only (werift's srtp/ modules or the bridge adapters) */
  srtpInclusive: CostEntry[];
}

/** Sorted (line, module) marks of werift's ESM bundle. */
function bundleModules(): { line: number; module: string }[] {
  const require = createRequire(import.meta.url);
  const bundle = join(dirname(require.resolve('werift')), '..', '..', 'index.mjs');
  const marks: { line: number; module: string }[] = [];
  readFileSync(bundle, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      const m = /^\/\/ (\.\.\/)?([\w./-]+\.ts)$/.exec(text);
      if (m) marks.push({ line: i, module: (m[1] ? '' : 'webrtc/') + m[2] });
    });
  return marks;
}

function moduleAt(marks: { line: number; module: string }[], line: number): string {
  let lo = 0;
  let hi = marks.length - 1;
  let best = 'werift';
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = marks[mid] as { line: number; module: string };
    if (m.line <= line) {
      best = m.module;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

const IDLE = '(idle)';

/** Self and inclusive time of a profile covering `packets` RTP packets, per packet. */
export function summarizeProfile(profile: CpuProfile, packets: number, top = 15): ProfileSummary {
  const marks = bundleModules();
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const moduleOf = (f: CallFrame): string => {
    if (f.url.includes('/werift/lib/index.mjs')) return `werift ${moduleAt(marks, f.lineNumber)}`;
    if (f.url.startsWith('node:')) return f.url;
    if (f.url.includes('/src/media/')) return `firstring ${f.url.slice(f.url.indexOf('/src/media/') + 1)}`;
    // node-addon-api functions of our addon all carry the name of its first class in V8 profiles.
    if (f.url === '' && f.functionName === 'MediaEngine') return 'firstring native addon (SRTP)';
    if (f.url === '') return f.functionName.startsWith('(') ? f.functionName : 'native / builtins';
    return f.url.replace(/^.*\/node_modules\//, '');
  };
  // Bundle line numbers locate werift functions; other files run through tsx, whose
  // transformed line numbers would mislead.
  const fnKey = (f: CallFrame): string =>
    `${f.functionName || '(anonymous)'} [${moduleOf(f)}${f.url.includes('/werift/') ? `:${f.lineNumber + 1}` : ''}]`;

  const self = new Map<string, number>();
  const mods = new Map<string, number>();
  const incl = new Map<string, number>();
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i] as number);
    const dt = profile.timeDeltas[i + 1] ?? 0; // a sample's time runs to the next sample
    if (!node || node.callFrame.functionName === IDLE) continue;
    busy += dt;
    const k = fnKey(node.callFrame);
    self.set(k, (self.get(k) ?? 0) + dt);
    const mk = moduleOf(node.callFrame);
    mods.set(mk, (mods.get(mk) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const f = (byId.get(id) as ProfileNode).callFrame;
      if (!f.url.includes('/werift/') && !f.url.includes('/src/media/')) continue;
      const key = fnKey(f);
      if (seen.has(key)) continue;
      seen.add(key);
      incl.set(key, (incl.get(key) ?? 0) + dt);
    }
  }
  const rank = (m: Map<string, number>, filter: (name: string) => boolean = () => true): CostEntry[] =>
    [...m.entries()]
      .filter(([name]) => filter(name))
      .sort((x, y) => y[1] - x[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, percent: round((100 * us) / Math.max(1, busy)), usPerPacket: round(us / packets) }));
  return {
    sampledUsPerPacket: round(busy / packets),
    byModule: rank(mods),
    topSelf: rank(self),
    topInclusive: rank(incl),
    srtpInclusive: rank(incl, (name) => /srtp|srtcp/i.test(name)).slice(0, 6),
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
