// The LLM engine: streaming chat completions with tool calling (openai client, any compatible base URL).
// The rules stay in code: emergencies are detected and escalated whatever the model does, the action layer
// refuses rule-breaking actions, and any model failure (timeout, HTTP error, dropped stream) falls back to the
// rules engine for the turn.
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionMessageToolCall } from 'openai/resources/chat/completions';
import type { Logger } from 'pino';
import type { DialogEngine, EngineTurn } from '../engine.js';
import { escalate, safetyInstructions } from '../actions.js';
import { applyLanguage, detectAndDeclareEmergency } from '../dialog/understand.js';
import { rulesTurn } from '../dialog/rules-engine.js';
import { cloneWorkingState, type WorkingState } from '../dialog/working-state.js';
import { TOOLS, runModelTool, guidance, type ToolTurn } from './tools.js';
import { systemPrompt } from './prompt.js';

export interface LlmEngineOptions {
  apiKey: string;
  baseURL?: string | undefined;
  model: string;
  /** No first chunk within this time: fall back to the rules engine. */
  firstTokenTimeoutMs?: number;
  /** Silence between chunks longer than this: fall back. */
  stallTimeoutMs?: number;
  maxToolRounds?: number;
  temperature?: number;
  log?: Logger;
}

class LlmTimeout extends Error {
  constructor(what: string) {
    super(`LLM ${what} timeout`);
    this.name = 'LlmTimeout';
  }
}

interface RoundResult {
  content: string;
  toolCalls: ChatCompletionMessageToolCall[];
}

export function createLlmEngine(o: LlmEngineOptions): DialogEngine {
  const client = new OpenAI({ apiKey: o.apiKey, ...(o.baseURL ? { baseURL: o.baseURL } : {}), maxRetries: 0, timeout: 60_000 });
  const firstTokenMs = o.firstTokenTimeoutMs ?? 4000;
  const stallMs = o.stallTimeoutMs ?? 4000;
  const maxRounds = o.maxToolRounds ?? 5;

  /** One streamed completion; text deltas go to `onText` as they arrive. */
  async function round(messages: ChatCompletionMessageParam[], signal: AbortSignal | undefined, onText: (t: string) => void): Promise<RoundResult> {
    const ac = new AbortController();
    let timer: NodeJS.Timeout | null = null;
    let timedOut: LlmTimeout | null = null;
    const arm = (ms: number, what: string): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = new LlmTimeout(what);
        ac.abort(timedOut);
      }, ms);
    };
    const onAbort = (): void => ac.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    arm(firstTokenMs, 'first token');
    const calls: { id: string; name: string; args: string }[] = [];
    let content = '';
    let finished = false;
    try {
      const stream = await client.chat.completions.create(
        { model: o.model, messages, tools: TOOLS, stream: true, ...(o.temperature !== undefined ? { temperature: o.temperature } : {}) },
        { signal: ac.signal },
      );
      for await (const chunk of stream) {
        arm(stallMs, 'stall');
        if (chunk.choices[0]?.finish_reason) finished = true;
        const delta = chunk.choices[0]?.delta;
        if (!delta) continue;
        if (delta.content) {
          content += delta.content;
          onText(delta.content);
        }
        for (const tc of delta.tool_calls ?? []) {
          const slot = (calls[tc.index] ??= { id: '', name: '', args: '' });
          if (tc.id) slot.id = tc.id;
          if (tc.function?.name) slot.name += tc.function.name;
          if (tc.function?.arguments) slot.args += tc.function.arguments;
        }
      }
    } catch (err) {
      throw timedOut ?? err;
    } finally {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    if (timedOut) throw timedOut;
    if (signal?.aborted) throw new Error('turn aborted');
    // A stream that ends without a finish reason was cut off.
    if (!finished) throw new Error('LLM stream ended without a finish reason');
    return {
      content,
      toolCalls: calls.filter(Boolean).map((c, i) => ({ id: c.id || `call_${i}`, type: 'function', function: { name: c.name, arguments: c.args } })),
    };
  }

  return {
    name: 'llm',
    async *run(turn: EngineTurn) {
      const { ctx, ws, text } = turn;
      const snapshot = cloneWorkingState(ws);
      const pendingBefore = ws.pending;
      applyLanguage(ctx, ws, text, turn.language);
      // Rule enforcement before the model speaks: detect emergencies in code; life-safety instructions come first.
      detectAndDeclareEmergency(ctx, ws, text);
      const queue: string[] = [];
      let spoken = 0;
      const safety = ws.conv.urgency === 'emergency' && !ws.safetyGiven ? safetyInstructions(ctx, ws) : null;
      const lifeSafety = ws.emergencyKind ? ctx.tenant.emergencies.rules.find((r) => r.kind === ws.emergencyKind)?.lifeSafety : false;
      if (safety && lifeSafety) {
        ws.safetyGiven = true;
        yield `${safety} `;
        spoken++;
      }
      const tturn: ToolTurn = { pendingBefore, yesNo: null, guidanceState: null };
      const messages: ChatCompletionMessageParam[] = [
        { role: 'system', content: systemPrompt(ctx, ws) },
        ...turn.history.map((m) => ({ role: m.role, content: m.content }) as ChatCompletionMessageParam),
        { role: 'user', content: text },
      ];
      try {
        for (let r = 0; r < maxRounds; r++) {
          let wake: (() => void) | null = null;
          let done = false;
          let failure: unknown = null;
          let result: RoundResult | null = null;
          const p = round(messages, turn.signal, (t) => {
            queue.push(t);
            wake?.();
          })
            .then((res) => void (result = res))
            .catch((e: unknown) => void (failure = e))
            .finally(() => {
              done = true;
              wake?.();
            });
          // Relay tokens to the caller as they stream in.
          while (!done || queue.length) {
            if (queue.length) {
              spoken++;
              yield queue.shift()!;
              continue;
            }
            await new Promise<void>((res) => (wake = res));
            wake = null;
          }
          await p;
          if (failure) throw failure;
          const res = result as RoundResult | null;
          if (!res || res.toolCalls.length === 0) break;
          messages.push({ role: 'assistant', content: res.content || null, tool_calls: res.toolCalls });
          for (const call of res.toolCalls) {
            if (call.type !== 'function') continue;
            const out = runModelTool(ctx, ws, tturn, call.function.name, call.function.arguments);
            o.log?.debug({ tool: call.function.name, ok: out.ok }, 'llm tool call');
            messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(out) });
          }
        }
      } catch (err) {
        if (turn.signal?.aborted) return;
        o.log?.warn({ err: err instanceof Error ? err.message : String(err) }, 'LLM failed; rules engine answers the turn');
        const safetyGiven = ws.safetyGiven;
        restore(ws, snapshot);
        ws.safetyGiven = safetyGiven;
        turn.answeredBy = 'rules';
        for (const sentence of rulesTurn(ctx, ws, text, turn.language)) {
          yield `${spoken++ ? ' ' : ''}${sentence}`;
        }
        return;
      }
      turn.answeredBy = 'llm';
      // Rule enforcement after the model: an emergency is always escalated.
      if (ws.conv.urgency === 'emergency' && !ws.escalated) {
        const r = escalate(ctx, ws);
        for (const s of r.say) yield `${spoken++ ? ' ' : ''}${s}`;
      }
      // The policy's bookkeeping follows the guidance it last gave (what is awaited, which questions were asked).
      const g = tturn.guidanceState ?? (guidance(ctx, ws, tturn), tturn.guidanceState);
      if (g && !ws.conv.ended) {
        ws.pending = g.pending;
        ws.askedQualifications = g.askedQualifications;
        ws.outOfAreaTold = g.outOfAreaTold;
        ws.outOfTradeTold = g.outOfTradeTold;
        ws.offeredSlot = g.offeredSlot ?? ws.offeredSlot;
      }
    },
  };
}

function restore(ws: WorkingState, snapshot: WorkingState): void {
  Object.assign(ws, cloneWorkingState(snapshot));
}
