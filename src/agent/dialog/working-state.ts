// The dialog's full internal state: plain data, so a turn can run on a copy and be discarded if aborted.
import type { EmergencyKind } from '../tenant/schema.js';
import type { AgentAction, Appointment, ConversationState, Language, Trade } from '../types.js';
import type { Slot } from '../booking/slots.js';

/** What the agent last asked, so a short answer can be read in context. */
export type Pending =
  | 'problem'
  | 'name'
  | 'phone_confirm'
  | 'phone'
  | 'address'
  | 'postal'
  | 'time'
  | 'slot_confirm'
  | 'message'
  | 'anything_else'
  | `qual:${string}`;

export interface WorkingState {
  conv: ConversationState;
  /** True once the caller's language was detected from a real utterance. */
  languageKnown: boolean;
  pending: Pending | null;
  askedQualifications: string[];
  emergencyKind: EmergencyKind | null;
  escalated: boolean;
  onCall: string | null;
  safetyGiven: boolean;
  offeredSlot: Slot | null;
  rejectedSlots: Slot[];
  appointment: Appointment | null;
  transferTo: string | null;
  followUps: string[];
  faqAnswered: string[];
  /** FAQ topics asked in the current turn and not yet answered. */
  faqPending: string[];
  outOfTrade: Trade | null;
  outOfTradeTold: boolean;
  outOfAreaTold: boolean;
  unclearTurns: number;
  /** Side effects decided this turn; applied to the store only when the turn completes. */
  effects: AgentAction[];
  /** Caller asked to be called back instead of booking now. */
  wantsCallback: boolean;
  /** Caller wants to end ("that's all"). */
  closingRequested: boolean;
}

export function initialWorkingState(language: Language): WorkingState {
  return {
    conv: {
      intent: null,
      urgency: 'routine',
      trade: null,
      slots: {
        name: null, phone: null, phoneConfirmed: false, address: null, postalCode: null, inServiceArea: null,
        preferredTime: null, problem: null, details: {},
      },
      outcome: null,
      ended: false,
      language,
    },
    languageKnown: false,
    pending: null,
    askedQualifications: [],
    emergencyKind: null,
    escalated: false,
    onCall: null,
    safetyGiven: false,
    offeredSlot: null,
    rejectedSlots: [],
    appointment: null,
    transferTo: null,
    followUps: [],
    faqAnswered: [],
    faqPending: [],
    outOfTrade: null,
    outOfTradeTold: false,
    outOfAreaTold: false,
    unclearTurns: 0,
    effects: [],
    wantsCallback: false,
    closingRequested: false,
  };
}

/** The kind of answer a pending question expects. */
export function expectingFor(p: Pending | null): 'yes_no' | 'number' | 'time' | 'name' | 'address' | 'open' | null {
  if (p === null) return null;
  if (p === 'phone_confirm' || p === 'slot_confirm' || p === 'anything_else' || p === 'qual:waterShutOff' || p === 'qual:burning') return 'yes_no';
  if (p === 'phone') return 'number';
  if (p === 'time') return 'time';
  if (p === 'name') return 'name';
  if (p === 'address' || p === 'postal') return 'address';
  return 'open';
}

export function cloneWorkingState(ws: WorkingState): WorkingState {
  return structuredClone(ws);
}
