// Public types of the receptionist: conversation state, replies, and the summary shape.
import type { CallSummary } from './summary-schema.js';

export type { CallSummary };
export type Language = 'en' | 'fr';
export type Trade = 'hvac' | 'plumbing' | 'electrical';
export type Channel = 'webrtc' | 'sip' | 'text';
export type Urgency = 'emergency' | 'urgent' | 'routine';
export type Intent =
  | 'service_request'
  | 'emergency'
  | 'scheduling'
  | 'follow_up'
  | 'question'
  | 'complaint'
  | 'sales'
  | 'other';
export type Outcome =
  | 'booked'
  | 'request_created'
  | 'escalated'
  | 'transferred'
  | 'message_taken'
  | 'info_provided'
  | 'out_of_area'
  | 'abandoned';
export type EndReason = 'caller_hangup' | 'agent_end' | 'error' | 'abandoned';

/** A preferred time as the caller put it, resolved against the tenant's clock and time zone. */
export interface PreferredTime {
  /** The caller's words. */
  text: string;
  /** ISO date (tenant time zone) when a day was named. */
  date?: string;
  part?: 'morning' | 'afternoon' | 'evening';
  /** Hour of day (0-23) when a clock time was named. */
  hour?: number;
  asap?: boolean;
}

export interface Slots {
  name: string | null;
  /** E.164 once confirmed or given. */
  phone: string | null;
  phoneConfirmed: boolean;
  address: string | null;
  postalCode: string | null;
  inServiceArea: boolean | null;
  preferredTime: PreferredTime | null;
  problem: string | null;
  /** Qualification answers by key (systemType, since, indoorTemp, location, waterShutOff, scope, affected, burning). */
  details: Record<string, string>;
}

export interface Appointment {
  start: string;
  end: string;
  technician: string;
}

export interface ConversationState {
  intent: Intent | null;
  urgency: Urgency;
  trade: Trade | null;
  slots: Slots;
  outcome: Outcome | null;
  ended: boolean;
  language: Language;
}

export interface AgentReply {
  text: string;
  language: Language;
}

/** A streamed piece of the agent's reply: text pieces first (they concatenate to the final text), then exactly one final chunk. */
export type ReplyChunk =
  | { type: 'text'; text: string; language: Language }
  | {
      type: 'final';
      text: string;
      language: Language;
      state: ConversationState;
      actions: AgentAction[];
      endCall: boolean;
      transferTo: string | null;
      engine: 'rules' | 'llm';
      /** What kind of answer the agent now waits for: the pipeline can end the caller's turn sooner on a complete short answer. */
      expecting: Expecting;
    };

export type Expecting = 'yes_no' | 'number' | 'time' | 'name' | 'address' | 'open' | null;

/** Side effects the agent decided on during a turn (applied only when the turn completes). */
export type AgentAction =
  | { kind: 'escalate'; emergency: string; onCall: string; mode: 'page' | 'transfer' }
  | { kind: 'book'; appointment: Appointment }
  | { kind: 'request_created'; preferredTime: string | null }
  | { kind: 'transfer'; target: string; reason: string }
  | { kind: 'take_message'; reason: string }
  | { kind: 'end_call' };

export interface TranscriptEntry {
  speaker: 'caller' | 'agent';
  text: string;
  at: string;
}

/** Source of time for a session: tests pass a fixed clock. */
export type Clock = () => Date;
