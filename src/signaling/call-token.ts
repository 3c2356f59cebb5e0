import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Short-lived call tokens: `v1.<payload>.<mac>`, both base64url, the MAC an
 * HMAC-SHA256 over the payload text. A token names its tenant and the page origin
 * it was issued to; the signaling upgrade checks both, the expiry, and that the
 * token was not used before (one call per token).
 */
const PayloadSchema = z.object({
  t: z.string().min(1).max(64),
  o: z.string().max(256),
  exp: z.number().int(),
  n: z.string().min(8).max(64),
});
export type CallTokenClaims = { tenant: string; origin: string; expiresAt: number; nonce: string };

export type TokenError = 'missing' | 'malformed' | 'bad_signature' | 'expired' | 'origin_mismatch' | 'replayed' | 'unknown_tenant';

export class CallTokenError extends Error {
  constructor(readonly reason: TokenError) {
    super(`call token rejected: ${reason}`);
  }
}

export interface CallTokenOptions {
  secret: Buffer;
  ttlSeconds: number;
  now?: () => number;
}

export class CallTokens {
  private readonly used = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly opts: CallTokenOptions) {
    if (opts.secret.length < 16) throw new Error('call token secret must be at least 16 bytes');
    this.now = opts.now ?? Date.now;
  }

  issue(tenant: string, origin: string): { token: string; expiresAt: number } {
    const exp = Math.floor(this.now() / 1000) + this.opts.ttlSeconds;
    const payload = Buffer.from(JSON.stringify({ t: tenant, o: origin, exp, n: randomBytes(12).toString('base64url') })).toString('base64url');
    return { token: `v1.${payload}.${this.mac(payload)}`, expiresAt: exp * 1000 };
  }

  /** Checks signature, expiry and origin; consumes the token so it cannot start a second call. */
  redeem(token: string | undefined, origin: string): CallTokenClaims {
    if (!token) throw new CallTokenError('missing');
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== 'v1' || !parts[1] || !parts[2]) throw new CallTokenError('malformed');
    const expected = Buffer.from(this.mac(parts[1]), 'base64url');
    const given = Buffer.from(parts[2], 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new CallTokenError('bad_signature');
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      throw new CallTokenError('malformed');
    }
    const claims = PayloadSchema.safeParse(decoded);
    if (!claims.success) throw new CallTokenError('malformed');
    const nowS = Math.floor(this.now() / 1000);
    if (claims.data.exp <= nowS) throw new CallTokenError('expired');
    if (claims.data.o !== origin) throw new CallTokenError('origin_mismatch');
    this.prune(nowS);
    if (this.used.has(claims.data.n)) throw new CallTokenError('replayed');
    this.used.set(claims.data.n, claims.data.exp);
    return { tenant: claims.data.t, origin: claims.data.o, expiresAt: claims.data.exp * 1000, nonce: claims.data.n };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.opts.secret).update(payload).digest('base64url');
  }

  private prune(nowS: number): void {
    for (const [nonce, exp] of this.used) if (exp <= nowS) this.used.delete(nonce);
  }
}
