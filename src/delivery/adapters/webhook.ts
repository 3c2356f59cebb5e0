// Webhooks: the summary as JSON, signed (see webhook-signature.ts) and timestamped.
import { httpRequest } from '../http.js';
import type { WebhookTarget } from '../targets-schema.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from '../webhook-signature.js';
import type { SendContext } from './context.js';

/** Body: {"type":"call.summary","deliveryId":<idempotency key>,"sentAt":ISO,"summary":{...}}. */
export function webhookBody(ctx: SendContext, timestampSec: number): string {
  return `{"type":"call.summary","deliveryId":${JSON.stringify(ctx.idempotencyKey)},"sentAt":${JSON.stringify(new Date(timestampSec * 1000).toISOString())},"summary":${ctx.payloadJson}}`;
}

export async function sendWebhook(hook: WebhookTarget, ctx: SendContext): Promise<void> {
  const timestamp = Math.floor(ctx.now() / 1000);
  const body = webhookBody(ctx, timestamp);
  await httpRequest(hook.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'firstring-webhooks/1',
      'idempotency-key': ctx.idempotencyKey,
      [TIMESTAMP_HEADER]: String(timestamp),
      [SIGNATURE_HEADER]: signWebhook(hook.secret, timestamp, body),
    },
    body,
  }, ctx.signal);
}
