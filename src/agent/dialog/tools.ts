// Runs a named action of the action layer with loosely typed arguments (from the policy or from a model's tool call).
import { z } from 'zod';
import type { ActionContext, ActionResult } from '../actions.js';
import { book, createRequest, endCall, escalate, takeMessage, transfer, transferOnCall } from '../actions.js';
import type { WorkingState } from './working-state.js';

const SlotArgs = z.object({ start: z.string(), end: z.string(), technician: z.string() });
const TransferArgs = z.object({ reason: z.enum(['complaint', 'sales', 'office']) });
const MessageArgs = z.object({ reason: z.string().min(1).optional() });

export function runAction(ctx: ActionContext, ws: WorkingState, tool: string, args: Record<string, unknown>): ActionResult {
  switch (tool) {
    case 'escalate':
      return escalate(ctx, ws, typeof args.reason === 'string' ? args.reason : undefined);
    case 'book': {
      const p = SlotArgs.safeParse(args);
      if (!p.success) return { ok: false, say: [], error: 'book needs {start, end, technician} from find_slots' };
      return book(ctx, ws, p.data);
    }
    case 'create_request':
      return createRequest(ctx, ws);
    case 'transfer': {
      const p = TransferArgs.safeParse(args);
      if (!p.success) return { ok: false, say: [], error: 'transfer needs reason: complaint | sales | office' };
      return transfer(ctx, ws, p.data.reason);
    }
    case 'transfer_on_call':
      if (!ws.escalated) return { ok: false, say: [], error: 'escalate first' };
      return transferOnCall(ctx, ws);
    case 'take_message': {
      const p = MessageArgs.safeParse(args);
      return takeMessage(ctx, ws, (p.success ? p.data.reason : undefined) ?? ws.conv.slots.problem ?? 'call back');
    }
    case 'end_call':
      return endCall(ctx, ws);
    default:
      return { ok: false, say: [], error: `unknown action ${tool}` };
  }
}
