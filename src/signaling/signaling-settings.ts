import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { CallTokens } from './call-token.js';
import { parseTenantOrigins, type TenantOrigins } from './tenant-origins.js';

const Schema = z.object({
  /** HMAC key for call tokens; a random per-process key when unset (tokens then die with the process). */
  CALL_TOKEN_SECRET: z.string().min(16).optional(),
  CALL_TOKEN_TTL_S: z.coerce.number().int().min(5).max(3600).default(60),
  /**
   * `tenant=origin,origin;tenant2=...`; `self` is the gateway's own pages. The bootstrap default: the
   * gateway adds the origins assigned with the operator API (withAssignedOrigins, tenant-origins.ts).
   */
  TENANT_ORIGINS: z.string().default('demo=self'),
});

export interface SignalingSettings {
  tokens: CallTokens;
  origins: TenantOrigins;
}

export function loadSignalingSettings(env: NodeJS.ProcessEnv = process.env): SignalingSettings {
  const parsed = Schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid signaling settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const s = parsed.data;
  const secret = s.CALL_TOKEN_SECRET ? Buffer.from(s.CALL_TOKEN_SECRET, 'utf8') : randomBytes(32);
  return { tokens: new CallTokens({ secret, ttlSeconds: s.CALL_TOKEN_TTL_S }), origins: parseTenantOrigins(s.TENANT_ORIGINS) };
}
