import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second for /proc times (USER_HZ; 100 on every Linux this runs on). */
const HZ = 100;

export interface ThreadTimes {
  tid: number;
  name: string;
  /** utime + stime in seconds. */
  cpuS: number;
}

/**
 * Parses one /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat line (proc(5)): the command
 * name sits in parentheses and may hold spaces, so fields are counted after the last ')'.
 */
export function parseProcStat(line: string): ThreadTimes {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error('proc stat: no (comm) field');
  const rest = line.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); utime is field 14, stime field 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('proc stat: bad utime/stime');
  return { tid: Number(line.slice(0, open).trim()), name: line.slice(open + 1, close), cpuS: (utime + stime) / HZ };
}

/** CPU seconds of every thread of `pid` (empty when the process is gone). */
export function threadTimes(pid: number): ThreadTimes[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: ThreadTimes[] = [];
  for (const tid of tids) {
    try {
      out.push(parseProcStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')));
    } catch {
      // The thread ended between readdir and read.
    }
  }
  return out;
}

/** Busy and total jiffies per CPU from /proc/stat (`cpu0`, `cpu1`, …). */
export function cpuJiffies(text = readFileSync('/proc/stat', 'utf8')): Array<{ busy: number; total: number }> {
  const out: Array<{ busy: number; total: number }> = [];
  for (const line of text.split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const v = (m[2] as string).trim().split(/\s+/).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    out[Number(m[1])] = { busy: total - idle, total };
  }
  return out;
}

/** Per-core utilisation (0–100) between two cpuJiffies() readings. */
export function coreUtilisation(before: ReturnType<typeof cpuJiffies>, after: ReturnType<typeof cpuJiffies>): number[] {
  return after.map((a, i) => {
    const b = before[i];
    if (!b || a.total === b.total) return 0;
    return ((a.busy - b.busy) / (a.total - b.total)) * 100;
  });
}

export interface ThreadLoad {
  tid: number;
  name: string;
  /** 100 = one core. */
  pct: number;
}

/** CPU % per thread between two threadTimes() readings over `wallS` seconds, busiest first (threads of one process often share a name). */
export function threadUtilisation(before: ThreadTimes[], after: ThreadTimes[], wallS: number, top = 8): ThreadLoad[] {
  const prev = new Map(before.map((t) => [t.tid, t.cpuS]));
  return after
    .map((t) => ({ tid: t.tid, name: t.name, pct: ((t.cpuS - (prev.get(t.tid) ?? t.cpuS)) / wallS) * 100 }))
    .sort((a, b) => b.pct - a.pct)
    .slice(0, top);
}
