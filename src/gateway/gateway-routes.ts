import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type uWS from 'uWebSockets.js';
import { z } from 'zod';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { CallAdmission } from '../signaling/call-admission.js';
import type { CallTokens } from '../signaling/call-token.js';
import type { TenantOrigins } from '../signaling/tenant-origins.js';
import { HttpBodyError, readBody, type HttpApp } from '../transport/http-server.js';

export interface GatewayDeps {
  tokens: CallTokens;
  origins: TenantOrigins;
  /** Tenant status and limits (token issue is refused when a call would be); none: every known tenant. */
  admission?: CallAdmission;
  metrics: GatewayMetrics;
  log: Logger;
  /** True once the media workers are up and the gateway can take calls. */
  ready(): boolean;
}

const webFile = (name: string): string => readFileSync(fileURLToPath(new URL(`../web/${name}`, import.meta.url)), 'utf8');

const TokenRequestSchema = z.object({ tenant: z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9_-]*$/i) });

/** Demo page, widget script, health, metrics and the call-token API. */
export function registerGatewayRoutes(app: HttpApp, deps: GatewayDeps): void {
  const widget = webFile('widget.js');
  const demo = webFile('demo.html');

  app.get('/', (res) => {
    res.writeHeader('content-type', 'text/html; charset=utf-8').end(demo);
  });
  app.get('/widget.js', (res) => {
    res.writeHeader('content-type', 'text/javascript; charset=utf-8').writeHeader('cache-control', 'public, max-age=300').end(widget);
  });
  app.get('/healthz', (res) => {
    res.writeHeader('content-type', 'application/json').end('{"status":"ok"}');
  });
  app.get('/readyz', (res) => {
    const ok = deps.ready();
    res.writeStatus(ok ? '200 OK' : '503 Service Unavailable').writeHeader('content-type', 'application/json').end(JSON.stringify({ status: ok ? 'ready' : 'starting' }));
  });
  app.get('/metrics', (res) => {
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    deps.metrics.registry.metrics().then(
      (text) => {
        if (!aborted) res.cork(() => res.writeHeader('content-type', deps.metrics.registry.contentType).end(text));
      },
      (err: unknown) => {
        deps.log.error({ err }, 'metrics collection failed');
        if (!aborted) res.cork(() => res.writeStatus('500 Internal Server Error').end());
      },
    );
  });
  registerTokenRoute(app, deps);
}

function json(res: uWS.HttpResponse, status: string, body: unknown, origin?: string, retryAfterS?: number): void {
  res.cork(() => {
    res.writeStatus(status).writeHeader('content-type', 'application/json');
    if (origin) res.writeHeader('access-control-allow-origin', origin).writeHeader('vary', 'Origin');
    // RFC 9110 §10.2.3; readable cross-origin only when exposed (Fetch standard, CORS-safelisted headers).
    if (retryAfterS !== undefined) res.writeHeader('retry-after', String(retryAfterS)).writeHeader('access-control-expose-headers', 'Retry-After');
    res.end(JSON.stringify(body));
  });
}

/** POST /api/v1/tokens {tenant}: a short-lived call token bound to the page's Origin. */
function registerTokenRoute(app: HttpApp, deps: GatewayDeps): void {
  app.options('/api/v1/tokens', (res, req) => {
    const origin = req.getHeader('origin');
    res.writeStatus('204 No Content')
      .writeHeader('access-control-allow-origin', origin || '*')
      .writeHeader('access-control-allow-methods', 'POST')
      .writeHeader('access-control-allow-headers', 'content-type')
      .writeHeader('access-control-max-age', '600')
      .writeHeader('vary', 'Origin')
      .end();
  });
  app.post('/api/v1/tokens', (res, req) => {
    const origin = req.getHeader('origin');
    const host = req.getHeader('host');
    readBody(res, 4096).then(
      (body) => {
        let raw: unknown;
        try {
          raw = JSON.parse(body.toString('utf8'));
        } catch {
          json(res, '400 Bad Request', { error: 'bad_json' }, origin);
          return;
        }
        const parsed = TokenRequestSchema.safeParse(raw);
        if (!parsed.success) {
          json(res, '400 Bad Request', { error: 'bad_request', message: parsed.error.issues[0]?.message ?? 'invalid' }, origin);
          return;
        }
        const { tenant } = parsed.data;
        if (!deps.origins.has(tenant)) {
          json(res, '404 Not Found', { error: 'unknown_tenant' }, origin);
          return;
        }
        if (!deps.origins.allows(tenant, origin, host)) {
          json(res, '403 Forbidden', { error: 'origin_not_allowed' });
          return;
        }
        const refused = deps.admission?.check(tenant);
        if (refused) {
          const status = refused.code === 'unknown_tenant' ? '404 Not Found' : refused.code === 'tenant_suspended' ? '403 Forbidden' : '429 Too Many Requests';
          const body = { error: refused.code, message: refused.message, ...(refused.retryAfterS !== undefined ? { retryAfter: refused.retryAfterS } : {}) };
          json(res, status, body, origin, refused.retryAfterS);
          return;
        }
        const issued = deps.tokens.issue(tenant, origin);
        deps.metrics.tokensIssued.inc({ tenant });
        json(res, '200 OK', issued, origin);
      },
      (err: unknown) => {
        if (err instanceof HttpBodyError && err.status === 413) json(res, '413 Payload Too Large', { error: 'too_large' }, origin);
        // 499: the client went away; res must not be touched.
      },
    );
  });
}
