import { z } from 'zod';
import type { CallResult } from './call-script.js';

/** The part of GET /api/v1/calls/{id} (docs/conversation-api.md) the soak check reads. */
const RecordSchema = z.object({
  id: z.string(),
  startedAt: z.string().nullable().optional(),
  endedAt: z.string().nullable().optional(),
  turns: z.array(z.object({ speaker: z.string(), at: z.string().nullable().optional() })),
});

export interface RecordCheck {
  checked: number;
  /** "<callId>: <what is missing>" for each incomplete record. */
  incomplete: string[];
  /** The gateway does not serve /api/v1/calls/{id} at all. */
  unavailable: boolean;
}

/**
 * What a finished bench call's record lacks (empty when complete): an agent turn, a caller
 * turn when the caller spoke (a call cut during its greeting has none), timestamps, an end.
 */
export function recordProblems(raw: unknown, callerSpoke = true): string[] {
  const r = RecordSchema.safeParse(raw);
  if (!r.success) return [`unexpected record shape (${r.error.issues[0]?.message ?? 'invalid'})`];
  const p: string[] = [];
  if (callerSpoke && !r.data.turns.some((t) => t.speaker === 'caller')) p.push('no caller turn');
  if (!r.data.turns.some((t) => t.speaker === 'agent')) p.push('no agent turn');
  if (r.data.turns.some((t) => !t.at)) p.push('a turn without timestamp');
  if (!r.data.endedAt) p.push('no end time');
  return p;
}

export interface CallToCheck {
  id: string;
  /** Whether the caller said anything (so a caller turn must be recorded). */
  callerSpoke: boolean;
  /** What the caller saw of the call (callerSideNote), added to a problem so it can be traced. */
  callerSide?: string;
}

/** The caller's view of a call, for an incomplete record's line: how long, how it ended, what its turns got. */
export function callerSideNote(c: Pick<CallResult, 'durationMs' | 'outcome' | 'error' | 'turns'>): string {
  const noReply = c.turns.filter((t) => t.gapMs === null && !t.overlapped).length;
  const overlapped = c.turns.filter((t) => t.overlapped).length;
  const bargeIns = c.turns.filter((t) => t.bargeInMs !== undefined).length;
  const ended = c.outcome === 'ok' ? 'ok' : `${c.outcome}${c.error ? `: ${c.error}` : ''}`;
  return `caller side: ${(c.durationMs / 1000).toFixed(1)} s, ${ended}, ${c.turns.length} turns (${noReply} without reply, ${overlapped} overlapped, ${bargeIns} barge-ins)`;
}

/** Fetches each call's record (bounded concurrency) and reports the incomplete ones. */
export async function checkCallRecords(
  url: string,
  calls: readonly CallToCheck[],
  o: { apiKey?: string | undefined; concurrency?: number } = {},
): Promise<RecordCheck> {
  const concurrency = o.concurrency ?? 8;
  const headers: Record<string, string> = o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {};
  const out: RecordCheck = { checked: 0, incomplete: [], unavailable: false };
  const queue = [...calls];
  let notFound = 0;
  const worker = async (): Promise<void> => {
    for (let call = queue.shift(); call !== undefined; call = queue.shift()) {
      const id = call.id;
      const res = await fetch(`${url}/api/v1/calls/${encodeURIComponent(id)}`, { headers, signal: AbortSignal.timeout(5000) }).catch(() => undefined);
      out.checked++;
      if (!res) out.incomplete.push(`${id}: request failed`);
      else if (res.status === 404) {
        notFound++;
        out.incomplete.push(`${id}: no record`);
      } else if (res.status !== 200) out.incomplete.push(`${id}: HTTP ${res.status}`);
      else {
        const problems = recordProblems(await res.json().catch(() => null), call.callerSpoke);
        if (problems.length) out.incomplete.push(`${id}: ${problems.join(', ')}${call.callerSide ? ` (${call.callerSide})` : ''}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, calls.length) }, worker));
  out.unavailable = calls.length > 0 && notFound === calls.length;
  return out;
}
