// Loads the scenario files and plays one scenario through a real dialog session (real SQLite in memory).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DateTime } from 'luxon';
import { parseTenant } from '../../../src/agent/tenant/loader.js';
import type { Tenant } from '../../../src/agent/tenant/schema.js';
import { openStore } from '../../../src/records/store.js';
import { asyncStore } from '../../../src/records/records-store.js';
import { createDialogSession, type DialogSession } from '../../../src/agent/session.js';
import type { DialogEngine } from '../../../src/agent/engine.js';
import type { CallSummary, ConversationState, EndReason, ReplyChunk } from '../../../src/agent/types.js';
import { CallSummarySchema } from '../../../src/agent/summary-schema.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const SCENARIO_DIR = join(ROOT, 'test/agent/scenarios');

export interface Scenario {
  name: string;
  file: string;
  tenant?: string;
  tenantOverride?: Record<string, unknown>;
  at?: string;
  caller?: string | null;
  language?: 'auto' | 'en' | 'fr';
  endReason?: EndReason;
  turns: string[];
  expect: Record<string, unknown> & { slots?: Record<string, unknown> };
}

export function loadScenarios(): Scenario[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => (parse(readFileSync(join(SCENARIO_DIR, f), 'utf8')) as Omit<Scenario, 'file'>[]).map((s) => ({ ...s, file: f })));
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

export function loadTestTenant(id: string, override?: Record<string, unknown>): Tenant {
  const raw = parse(readFileSync(join(ROOT, 'config/tenants', `${id}.yaml`), 'utf8')) as Record<string, unknown>;
  return parseTenant(override ? deepMerge(raw, override) : raw, id);
}

export interface ScenarioRun {
  replies: string[];
  finals: Extract<ReplyChunk, { type: 'final' }>[];
  state: ConversationState;
  summary: CallSummary;
  engines: string[];
}

export interface PlayOptions {
  /** Before each turn, start a speculative turn on the first half of the text and abort it (pipeline behaviour). */
  speculate?: 'abort-signal' | 'iterator-return';
}

export async function playScenario(s: Scenario, engine?: () => DialogEngine, opts: PlayOptions = {}): Promise<ScenarioRun> {
  const tenant = loadTestTenant(s.tenant ?? 'demo', s.tenantOverride);
  const at = DateTime.fromISO(s.at ?? '2026-12-01T10:00', { zone: tenant.timeZone }).toJSDate();
  const store = openStore(':memory:');
  try {
    const session = createDialogSession({
      tenant, channel: 'text', callerNumber: s.caller === undefined ? (s.tenant === 'lakeside' ? '+18025550100' : '+15145550123') : s.caller,
      language: s.language ?? 'auto', store: asyncStore(store), clock: () => at, ...(engine ? { engine: engine() } : {}),
    });
    session.greeting();
    const replies: string[] = [];
    const finals: ScenarioRun['finals'] = [];
    for (const turn of s.turns) {
      if (session.state().ended) throw new Error(`call ended before caller turn "${turn}"`);
      if (opts.speculate) await speculateAndAbort(session, turn.slice(0, Math.max(1, Math.floor(turn.length / 2))), opts.speculate);
      let streamed = '';
      for await (const c of session.respond(turn)) {
        if (c.type === 'text') streamed += c.text;
        if (c.type === 'final') {
          finals.push(c);
          replies.push(c.text);
          if (streamed.trim() !== c.text) throw new Error(`streamed pieces ${JSON.stringify(streamed)} differ from the final text ${JSON.stringify(c.text)}`);
        }
      }
    }
    const state = session.state();
    const summary = await session.end(s.endReason ?? (state.ended ? 'agent_end' : 'caller_hangup'));
    const stored = store.getCall(session.callId);
    if (JSON.stringify(stored?.summary) !== JSON.stringify(summary)) throw new Error('stored summary differs from the returned one');
    return { replies, finals, state, summary, engines: finals.map((f) => f.engine) };
  } finally {
    store.close();
  }
}

/** Compares a run with the scenario's expectations; returns the list of mismatches (empty when it passes). */
export function checkScenario(s: Scenario, run: ScenarioRun): string[] {
  const e = s.expect;
  const bad: string[] = [];
  const sum = run.summary;
  const eq = (what: string, got: unknown, want: unknown): void => {
    if (JSON.stringify(got) !== JSON.stringify(want)) bad.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  };
  const parsed = CallSummarySchema.safeParse(sum);
  if (!parsed.success) bad.push(`summary invalid: ${parsed.error.message}`);
  if ('intent' in e) eq('intent', sum.intent, e.intent);
  if ('urgency' in e) eq('urgency', sum.urgency, e.urgency);
  if ('trade' in e) eq('trade', sum.trade, e.trade);
  if ('outcome' in e) eq('outcome', sum.outcome, e.outcome);
  if ('language' in e) eq('language', sum.language, e.language);
  if ('ended' in e) eq('ended', run.state.ended, e.ended);
  if ('transferTo' in e) eq('transferTo', sum.transferTo, e.transferTo);
  if (e.appointmentTech) eq('appointment.technician', sum.appointment?.technician, e.appointmentTech);
  if (e.appointmentStart) eq('appointment.start', sum.appointment?.start, e.appointmentStart);
  if (e.noAppointment) eq('appointment', sum.appointment, undefined);
  if (sum.outcome === 'booked' && !sum.appointment) bad.push('booked without appointment');
  const slots = e.slots ?? {};
  const st = run.state.slots;
  for (const [k, want] of Object.entries(slots)) {
    if (k === 'preferredTime') {
      for (const [pk, pv] of Object.entries(want as Record<string, unknown>)) eq(`preferredTime.${pk}`, (st.preferredTime as unknown as Record<string, unknown> | null)?.[pk], pv);
    } else if (k === 'details') {
      for (const [dk, dv] of Object.entries(want as Record<string, unknown>)) eq(`details.${dk}`, st.details[dk], dv);
    } else {
      eq(`slots.${k}`, (st as unknown as Record<string, unknown>)[k], want);
    }
  }
  const all = run.replies.join(' \n ');
  if (typeof e.replyIncludes === 'string' && !all.includes(e.replyIncludes)) bad.push(`no reply includes ${JSON.stringify(e.replyIncludes)}`);
  if (typeof e.firstReplyStartsWith === 'string' && !(run.replies[0] ?? '').startsWith(e.firstReplyStartsWith)) bad.push(`first reply ${JSON.stringify(run.replies[0])} does not start with ${JSON.stringify(e.firstReplyStartsWith)}`);
  if (typeof e.followUpIncludes === 'string' && !sum.followUps.some((f) => f.includes(e.followUpIncludes as string))) bad.push(`no follow-up includes ${JSON.stringify(e.followUpIncludes)}`);
  const callerTurns = sum.transcript.filter((t) => t.speaker === 'caller').length;
  if (callerTurns !== s.turns.length) bad.push(`transcript has ${callerTurns} caller turns, want ${s.turns.length}`);
  return bad;
}

/** For debugging a failure: the dialog as text. */
export function dialogText(s: Scenario, run: ScenarioRun): string {
  return s.turns.map((t, i) => `C: ${t}\nA: ${run.replies[i] ?? '(none)'}`).join('\n');
}

/** Starts a turn on partial text, consumes its first chunk, then abandons it the way the pipeline would. */
async function speculateAndAbort(session: DialogSession, partial: string, how: 'abort-signal' | 'iterator-return'): Promise<void> {
  const ac = new AbortController();
  const it = session.respond(partial, { signal: ac.signal })[Symbol.asyncIterator]();
  await it.next();
  if (how === 'abort-signal') {
    ac.abort();
    // Drain: an aborted turn yields nothing more and commits nothing.
    for (let r = await it.next(); !r.done; r = await it.next()) {
      if (r.value.type === 'final') throw new Error('an aborted turn produced a final chunk');
    }
  } else {
    await it.return?.();
  }
}
