// The action layer as OpenAI tools. Arguments are validated; every result carries the state and the policy's
// guidance for the next step. The action layer refuses whatever breaks a tenant rule, whatever the model asked.
import { z } from 'zod';
import type { ChatCompletionTool } from 'openai/resources/chat/completions';
import type { ActionContext, ActionResult } from '../actions.js';
import { checkServiceArea, recordDetail, searchSlots, transferOnCall } from '../actions.js';
import { runAction } from '../dialog/tools.js';
import { nextStep } from '../dialog/policy.js';
import { cloneWorkingState, type Pending, type WorkingState } from '../dialog/working-state.js';
import { formatWhen } from '../dialog/phrases.js';
import { EMERGENCY_KINDS } from '../tenant/schema.js';

const fn = (name: string, description: string, properties: Record<string, unknown>, required: string[] = []): ChatCompletionTool => ({
  type: 'function',
  function: { name, description, parameters: { type: 'object', properties, required, additionalProperties: false } },
});

export const TOOLS: ChatCompletionTool[] = [
  fn('record_details', 'Record what the caller said: any of intent, trade, urgency, problem, name, phone, address, postal code, preferred time, qualification details. Call it whenever the caller gives information.', {
    intent: { type: 'string', enum: ['service_request', 'emergency', 'scheduling', 'follow_up', 'question', 'complaint', 'sales', 'other'] },
    trade: { type: 'string', enum: ['hvac', 'plumbing', 'electrical'] },
    urgency: { type: 'string', enum: ['urgent', 'routine'] },
    emergency: { type: 'string', enum: [...EMERGENCY_KINDS], description: 'The emergency situation the caller describes, if any.' },
    problem: { type: 'string', description: "The problem in the caller's words." },
    name: { type: 'string' },
    phone: { type: 'string', description: 'Callback number as given.' },
    phone_confirmed: { type: 'boolean', description: 'The caller confirmed the number they are calling from.' },
    address: { type: 'string', description: 'Street line, e.g. 4520 rue Saint-Denis.' },
    postal_code: { type: 'string' },
    preferred_time: { type: 'string', description: "The caller's words, e.g. 'tomorrow morning'." },
    details: { type: 'object', additionalProperties: { type: 'string' }, description: 'Qualification answers: systemType, since, indoorTemp, location, waterShutOff, scope, affected, burning.' },
    caller_answer: { type: 'string', enum: ['yes', 'no'], description: 'The caller answered yes or no to your last question.' },
    wants_to_end: { type: 'boolean', description: 'The caller has nothing more.' },
  }),
  fn('check_service_area', 'Check whether a postal code (Canadian FSA or US ZIP) is in the service area.', { postal_code: { type: 'string' } }, ['postal_code']),
  fn('find_slots', 'Find free appointment slots for the current trade, honouring hours, lead time and the preference.', { preferred_time: { type: 'string' } }),
  fn('book_appointment', 'Book one slot returned by find_slots, after the caller agreed to it.', {
    start: { type: 'string' }, end: { type: 'string' }, technician: { type: 'string' },
  }, ['start', 'end', 'technician']),
  fn('create_request', 'Create a service request for the office to confirm (after hours, request-only tenants, reschedules).', {}),
  fn('escalate_emergency', 'Escalate an emergency to the on-call technician now.', { reason: { type: 'string' } }, ['reason']),
  fn('transfer_call', 'Transfer the caller to a person: complaint, sales, office, or on_call (emergencies, after escalating).', { reason: { type: 'string', enum: ['complaint', 'sales', 'office', 'on_call'] } }, ['reason']),
  fn('take_message', 'Take a message for a call back when nobody can take the call.', { reason: { type: 'string' } }, ['reason']),
  fn('end_call', 'End the call after confirming what happens next.', {}),
];

const RecordArgs = z.object({
  intent: z.enum(['service_request', 'emergency', 'scheduling', 'follow_up', 'question', 'complaint', 'sales', 'other']).optional(),
  trade: z.enum(['hvac', 'plumbing', 'electrical']).optional(),
  urgency: z.enum(['urgent', 'routine']).optional(),
  emergency: z.enum(EMERGENCY_KINDS).optional(),
  problem: z.string().optional(),
  name: z.string().optional(),
  phone: z.string().optional(),
  phone_confirmed: z.boolean().optional(),
  address: z.string().optional(),
  postal_code: z.string().optional(),
  preferred_time: z.string().optional(),
  details: z.record(z.string(), z.string()).optional(),
  caller_answer: z.enum(['yes', 'no']).optional(),
  wants_to_end: z.boolean().optional(),
});

export interface Guidance {
  action: string;
  args?: Record<string, unknown>;
  say?: string[];
  awaiting?: Pending | null;
}

/** Per-turn memory of the tool layer: the caller's yes/no and the latest guidance (its bookkeeping is adopted at turn end). */
export interface ToolTurn {
  pendingBefore: Pending | null;
  yesNo: 'yes' | 'no' | null;
  guidanceState: WorkingState | null;
}

export function guidance(ctx: ActionContext, ws: WorkingState, turn: ToolTurn): Guidance {
  const probe = cloneWorkingState(ws);
  const step = nextStep(ctx, probe, { yesNo: turn.yesNo, pendingBefore: turn.pendingBefore });
  turn.guidanceState = probe;
  if (step.kind === 'tool') return { action: step.tool, args: step.args };
  probe.pending = step.pending;
  if (step.offered) probe.offeredSlot = step.offered;
  return { action: 'reply', say: step.text, awaiting: step.pending };
}

function result(ctx: ActionContext, ws: WorkingState, turn: ToolTurn, r: ActionResult): Record<string, unknown> {
  return {
    ok: r.ok,
    ...(r.error ? { error: r.error } : {}),
    ...(r.data !== undefined ? { data: r.data } : {}),
    ...(r.say.length ? { say: r.say } : {}),
    state: { intent: ws.conv.intent, urgency: ws.conv.urgency, trade: ws.conv.trade, outcome: ws.conv.outcome, slots: ws.conv.slots, escalated: ws.escalated },
    next: guidance(ctx, ws, turn),
  };
}

/** Runs one tool call from the model; never throws (bad arguments become an error result the model can read). */
export function runModelTool(ctx: ActionContext, ws: WorkingState, turn: ToolTurn, name: string, rawArgs: string): Record<string, unknown> {
  let args: Record<string, unknown>;
  try {
    args = rawArgs.trim() ? (JSON.parse(rawArgs) as Record<string, unknown>) : {};
  } catch {
    return { ok: false, error: 'arguments are not valid JSON' };
  }
  switch (name) {
    case 'record_details': {
      const p = RecordArgs.safeParse(args);
      if (!p.success) return { ok: false, error: p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
      const a = p.data;
      if (a.caller_answer) turn.yesNo = a.caller_answer;
      if (a.wants_to_end) ws.closingRequested = true;
      const r = recordDetail(ctx, ws, {
        ...(a.intent ? { intent: a.intent } : {}), ...(a.trade ? { trade: a.trade } : {}), ...(a.urgency ? { urgency: a.urgency } : {}),
        ...(a.emergency ? { emergency: a.emergency } : {}), ...(a.problem ? { problem: a.problem } : {}), ...(a.name ? { name: a.name } : {}),
        ...(a.phone ? { phone: a.phone } : {}), ...(a.phone_confirmed !== undefined ? { phoneConfirmed: a.phone_confirmed } : {}),
        ...(a.address ? { address: a.address } : {}), ...(a.postal_code ? { postalCode: a.postal_code } : {}),
        ...(a.preferred_time ? { preferredTime: a.preferred_time } : {}), ...(a.details ? { details: a.details } : {}),
      });
      return result(ctx, ws, turn, r);
    }
    case 'check_service_area': {
      const code = typeof args.postal_code === 'string' ? args.postal_code : '';
      if (!code) return { ok: false, error: 'postal_code is required' };
      return result(ctx, ws, turn, checkServiceArea(ctx, ws, code));
    }
    case 'find_slots': {
      if (typeof args.preferred_time === 'string' && args.preferred_time) recordDetail(ctx, ws, { preferredTime: args.preferred_time });
      const slots = searchSlots(ctx, ws).map((s) => ({ ...s, when: formatWhen(s.start, ctx.tenant.timeZone, ws.conv.language) }));
      return result(ctx, ws, turn, { ok: true, say: [], data: { slots } });
    }
    case 'book_appointment':
      return result(ctx, ws, turn, runAction(ctx, ws, 'book', args));
    case 'create_request':
      return result(ctx, ws, turn, runAction(ctx, ws, 'create_request', args));
    case 'escalate_emergency':
      return result(ctx, ws, turn, runAction(ctx, ws, 'escalate', args));
    case 'transfer_call':
      if (args.reason === 'on_call') return result(ctx, ws, turn, ws.escalated ? transferOnCall(ctx, ws) : { ok: false, say: [], error: 'escalate_emergency first' });
      return result(ctx, ws, turn, runAction(ctx, ws, 'transfer', args));
    case 'take_message':
      return result(ctx, ws, turn, runAction(ctx, ws, 'take_message', args));
    case 'end_call':
      return result(ctx, ws, turn, runAction(ctx, ws, 'end_call', args));
    default:
      return { ok: false, error: `unknown tool ${name}` };
  }
}
