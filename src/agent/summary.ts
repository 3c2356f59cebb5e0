// Builds the call summary (docs/summary.schema.json) from the dialog state and transcript.
import type { WorkingState } from './dialog/working-state.js';
import type { CallSummary, Channel, EndReason, TranscriptEntry } from './types.js';
import { CallSummarySchema } from './summary-schema.js';
import { describePreferredTime } from './nlu/time.js';

export interface SummaryInput {
  callId: string;
  tenantId: string;
  channel: Channel;
  startedAt: string;
  endedAt: string;
  callerNumber: string | null;
  ws: WorkingState;
  transcript: TranscriptEntry[];
  reason: EndReason;
}

/** Two sentences at most of the caller's own description. */
function shortProblem(p: string | null): string | null {
  if (!p) return null;
  const sentences = p.replace(/\s+/g, ' ').trim().split(/(?<=[.!?])\s+/).slice(0, 2).join(' ');
  return sentences.length > 400 ? `${sentences.slice(0, 397)}...` : sentences;
}

export function buildSummary(i: SummaryInput): CallSummary {
  const { ws } = i;
  const c = ws.conv;
  const outcome = c.outcome ?? (i.reason === 'agent_end' ? 'info_provided' : 'abandoned');
  const summary: CallSummary = {
    callId: i.callId,
    tenantId: i.tenantId,
    channel: i.channel,
    language: c.language,
    startedAt: i.startedAt,
    endedAt: i.endedAt,
    intent: c.intent ?? 'other',
    urgency: c.urgency,
    trade: c.trade,
    problem: shortProblem(c.slots.problem),
    caller: { name: c.slots.name, phone: c.slots.phone ?? i.callerNumber },
    serviceAddress: { line: c.slots.address, postalCode: c.slots.postalCode, inServiceArea: c.slots.inServiceArea },
    preferredTime: describePreferredTime(c.slots.preferredTime),
    outcome,
    ...(outcome === 'booked' && ws.appointment ? { appointment: ws.appointment } : {}),
    ...(ws.transferTo ? { transferTo: ws.transferTo } : {}),
    followUps: [...ws.followUps],
    transcript: i.transcript.map((t) => ({ ...t })),
  };
  return CallSummarySchema.parse(summary);
}
