// The fields of the call summary (docs/summary.schema.json, issue 4) that delivery reads.
// A structural subset: the receptionist's CallSummary is assignable to it without an import,
// so this layer does not depend on src/agent.

export type SummaryLanguage = 'en' | 'fr';
export type SummaryUrgency = 'emergency' | 'urgent' | 'routine';
export type SummaryTrade = 'hvac' | 'plumbing' | 'electrical';
export type SummaryOutcome =
  | 'booked'
  | 'request_created'
  | 'escalated'
  | 'transferred'
  | 'message_taken'
  | 'info_provided'
  | 'out_of_area'
  | 'abandoned';

export interface CallSummary {
  callId: string;
  tenantId: string;
  language: SummaryLanguage;
  urgency: SummaryUrgency;
  intent: string;
  trade: SummaryTrade | null;
  problem: string | null;
  caller: { name: string | null; phone: string | null };
  serviceAddress: { line: string | null; postalCode: string | null; inServiceArea: boolean | null };
  preferredTime: string | null;
  outcome: SummaryOutcome;
  appointment?: { start: string; end: string; technician: string };
  transferTo?: string;
  followUps: readonly string[];
  startedAt: string;
  endedAt: string;
  /** The call's words; read to tell an empty call (empty-call.ts). */
  transcript?: ReadonlyArray<{ speaker: string; text: string }>;
}
