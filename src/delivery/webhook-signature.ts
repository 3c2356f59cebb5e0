// Webhook signatures: X-Firstring-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>,
// with X-Firstring-Timestamp in Unix seconds. Receivers reject timestamps outside a tolerance,
// so a captured request cannot be replayed later.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-firstring-signature';
export const TIMESTAMP_HEADER = 'x-firstring-timestamp';

export function signWebhook(secret: string, timestamp: number, body: string | Buffer): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  return `v1=${mac}`;
}

export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const rec = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(rec).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : rec[key];
  return Array.isArray(v) ? v.join(',') : v;
}

export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: string };

/**
 * Checks a received webhook: the timestamp is within `toleranceSec` of now and one of the `v1=`
 * signatures matches the raw body (verify the bytes as received, before any JSON parsing).
 */
export function verifyWebhookSignature(
  secret: string,
  headers: HeaderSource,
  body: string | Buffer,
  toleranceSec = 300,
  nowSec: number = Math.floor(Date.now() / 1000),
): VerifyResult {
  const tsRaw = header(headers, TIMESTAMP_HEADER);
  const sigRaw = header(headers, SIGNATURE_HEADER);
  if (!tsRaw || !/^\d{1,12}$/.test(tsRaw.trim())) return { ok: false, reason: 'missing or malformed timestamp header' };
  if (!sigRaw) return { ok: false, reason: 'missing signature header' };
  const timestamp = Number(tsRaw.trim());
  if (Math.abs(nowSec - timestamp) > toleranceSec) return { ok: false, reason: 'timestamp outside tolerance' };
  const expected = Buffer.from(signWebhook(secret, timestamp, body).slice(3), 'hex');
  const candidates = sigRaw.split(',').map((s) => s.trim()).filter((s) => s.startsWith('v1='));
  for (const c of candidates) {
    const hex = c.slice(3);
    if (!/^[0-9a-f]{64}$/i.test(hex)) continue;
    if (timingSafeEqual(Buffer.from(hex, 'hex'), expected)) return { ok: true, timestamp };
  }
  return { ok: false, reason: 'signature mismatch' };
}
