// The minimal summary of a call left open by a crash: what is known (caller number, transcript), outcome abandoned.
import { CallSummarySchema } from '../agent/summary-schema.js';
import type { CallSummary } from '../agent/types.js';
import type { CallRecord } from './types.js';

export function abandonedSummary(call: CallRecord, endedAt: string): CallSummary {
  const firstCaller = call.turns.find((t) => t.speaker === 'caller' && t.text.trim() !== '');
  return CallSummarySchema.parse({
    callId: call.id,
    tenantId: call.tenantId,
    channel: call.channel,
    language: call.language,
    startedAt: call.startedAt,
    endedAt,
    intent: 'other',
    urgency: 'routine',
    trade: null,
    problem: firstCaller ? firstCaller.text.slice(0, 400) : null,
    caller: { name: null, phone: call.callerNumber },
    serviceAddress: { line: null, postalCode: null, inServiceArea: null },
    preferredTime: null,
    outcome: 'abandoned',
    followUps: ['The call was cut off (the gateway restarted): call the caller back.'],
    transcript: call.turns.map((t) => ({ speaker: t.speaker, text: t.text, at: t.at })),
  } satisfies CallSummary);
}
