// The text conversation API (docs/conversation-api.md) on uWebSockets.js.
import type { TemplatedApp, HttpResponse, HttpRequest } from 'uWebSockets.js';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { TenantRegistry } from '../agent/tenant/loader.js';
import type { CallStore } from '../records/store.js';
import { recordsOf, type RecordsStore } from '../records/records-store.js';
import type { DialogEngine } from '../agent/engine.js';
import type { Clock, ConversationState } from '../agent/types.js';
import { createDialogSession, type DialogSession } from '../agent/session.js';
import { HttpError, parseJson, readBody, safeResponse, type SafeResponse } from './http-json.js';

export interface ConversationApiDeps {
  tenants: TenantRegistry;
  /** The call records: the configured store's async interface (a SQLite `CallStore` is adapted). */
  store: RecordsStore | CallStore;
  log: Logger;
  /** Picks the engine per tenant (rules engine when absent). */
  engineFor?: (tenantId: string) => DialogEngine | undefined;
  clock?: Clock;
  /** Conversations idle longer than this are ended as abandoned. */
  idleTimeoutMs?: number;
  maxBodyBytes?: number;
  /**
   * Guards `GET /api/v1/calls/{id}`: given the request's Authorization header and the call's
   * tenant, true when the caller may read it (an operator key, or that tenant's own key).
   * Without it the route is open (tests and single-tenant set-ups).
   */
  authorizeCallRead?: (authorization: string, tenantId: string) => boolean;
}

const StartBody = z
  .object({
    language: z.enum(['auto', 'en', 'fr']).default('auto'),
    callerNumber: z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 number like +15145550123').optional(),
  })
  .strict();
const TurnBody = z.object({ text: z.string().trim().min(1, 'text must not be empty').max(2000) }).strict();

function validate<T>(schema: z.ZodType<T>, raw: unknown): T {
  const r = schema.safeParse(raw);
  if (!r.success) throw new HttpError(400, r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return r.data;
}

function publicState(s: ConversationState): Omit<ConversationState, 'language'> {
  const { language: _l, ...rest } = s;
  return rest;
}

interface Live {
  session: DialogSession;
  timer: NodeJS.Timeout;
  busy: boolean;
}

export interface ConversationApi {
  /** Ends every open conversation as abandoned (shutdown). */
  closeAll(): Promise<void>;
}

export function registerConversationApi(app: TemplatedApp, deps: ConversationApiDeps): ConversationApi {
  const records = recordsOf(deps.store);
  const live = new Map<string, Live>();
  const idleMs = deps.idleTimeoutMs ?? 15 * 60_000;
  const limit = deps.maxBodyBytes ?? 16 * 1024;

  const touch = (id: string, l: Live): void => {
    clearTimeout(l.timer);
    l.timer = setTimeout(() => void finish(id, 'abandoned').catch((e: unknown) => deps.log.error({ err: e, id }, 'abandon failed')), idleMs);
    l.timer.unref();
  };
  const finish = async (id: string, reason: 'abandoned' | 'agent_end' | 'caller_hangup') => {
    const l = live.get(id);
    if (!l) return null;
    live.delete(id);
    clearTimeout(l.timer);
    return l.session.end(reason);
  };

  /** Wraps an async handler: abort-safe response, JSON errors, 500 without internals. */
  const route = (handler: (res: HttpResponse, safe: SafeResponse, params: string[], authorization: string) => Promise<[number, unknown]>, nParams: number) =>
    (res: HttpResponse, req: HttpRequest) => {
      const safe = safeResponse(res);
      // uWS: the request object is only valid synchronously, so copy what the handler needs now.
      const params = Array.from({ length: nParams }, (_, i) => req.getParameter(i) ?? '');
      const authorization = req.getHeader('authorization');
      handler(res, safe, params, authorization)
        .then(([status, body]) => safe.json(status, body))
        .catch((err: unknown) => {
          if (err instanceof HttpError) {
            if (err.status !== 499) safe.json(err.status, { error: err.message });
            return;
          }
          deps.log.error({ err }, 'conversation api error');
          safe.json(500, { error: 'internal error' });
        });
    };

  app.post('/api/v1/tenants/:tenantId/conversations', route(async (res, safe, [tenantId]) => {
    const body = validate(StartBody, parseJson(await readBody(res, safe, limit)));
    const tenant = deps.tenants.get(tenantId ?? '');
    if (!tenant) throw new HttpError(404, `unknown tenant "${tenantId}"`);
    const engine = deps.engineFor?.(tenant.id);
    const session = createDialogSession({
      tenant, channel: 'text', callerNumber: body.callerNumber ?? null, language: body.language, store: records,
      ...(engine ? { engine } : {}), ...(deps.clock ? { clock: deps.clock } : {}), ...(deps.log ? { log: deps.log } : {}),
    });
    const l: Live = { session, timer: setTimeout(() => undefined, 0), busy: false };
    live.set(session.callId, l);
    touch(session.callId, l);
    return [201, { conversationId: session.callId, reply: session.greeting() }];
  }, 1));

  app.post('/api/v1/conversations/:id/turns', route(async (res, safe, [id]) => {
    const body = validate(TurnBody, parseJson(await readBody(res, safe, limit)));
    const l = live.get(id ?? '');
    if (!l) throw new HttpError(404, `no open conversation "${id}"`);
    if (l.busy) throw new HttpError(409, 'a turn is already in progress for this conversation');
    l.busy = true;
    try {
      touch(id!, l);
      let final = null;
      for await (const chunk of l.session.respond(body.text)) if (chunk.type === 'final') final = chunk;
      if (!final) throw new Error('turn produced no final chunk');
      const state = publicState(final.state);
      if (final.endCall) await finish(id!, 'agent_end');
      return [200, { reply: { text: final.text, language: final.language }, state, ...(final.transferTo ? { transferTo: final.transferTo } : {}) }];
    } finally {
      l.busy = false;
    }
  }, 1));

  app.post('/api/v1/conversations/:id/end', route(async (res, safe, [id]) => {
    await readBody(res, safe, limit);
    const summary = await finish(id ?? '', 'caller_hangup');
    if (summary) return [200, summary];
    const rec = await records.getCall(id ?? '');
    if (rec?.summary) return [200, rec.summary];
    throw new HttpError(404, `no conversation "${id}"`);
  }, 1));

  app.get('/api/v1/calls/:id', route(async (_res, _safe, [id], authorization) => {
    if (deps.authorizeCallRead && !authorization) throw new HttpError(401, 'an API key is required (Authorization: Bearer <key>)');
    const rec = await records.getCall(id ?? '');
    // Another tenant's call answers exactly like a missing one, so ids cannot be probed.
    if (!rec || (deps.authorizeCallRead && !deps.authorizeCallRead(authorization, rec.tenantId))) throw new HttpError(404, `no call "${id}"`);
    return [200, rec];
  }, 1));

  return {
    async closeAll() {
      await Promise.all([...live.keys()].map((id) => finish(id, 'abandoned')));
    },
  };
}
