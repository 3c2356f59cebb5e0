// SMS through a provider's HTTP API: Twilio's Messages resource (or any compatible API),
// or a generic JSON endpoint.
import { renderSms } from '../render/sms.js';
import { httpRequest } from '../http.js';
import type { HttpSmsConfig, SmsProviderConfig, TwilioSmsConfig } from '../targets-schema.js';
import type { SendContext } from './context.js';

/** POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded To, From, Body, HTTP basic auth. */
async function sendTwilio(to: string, cfg: TwilioSmsConfig, text: string, ctx: SendContext): Promise<void> {
  const url = `${cfg.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(cfg.accountSid)}/Messages.json`;
  const body = new URLSearchParams({ To: to, From: cfg.from, Body: text }).toString();
  await httpRequest(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${cfg.accountSid}:${cfg.authToken}`).toString('base64')}`,
      'idempotency-key': ctx.idempotencyKey,
    },
    body,
  }, ctx.signal);
}

/** POST {to, from, text, idempotencyKey} as JSON. */
async function sendHttp(to: string, cfg: HttpSmsConfig, text: string, ctx: SendContext): Promise<void> {
  await httpRequest(cfg.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': ctx.idempotencyKey,
      ...(cfg.bearerToken ? { authorization: `Bearer ${cfg.bearerToken}` } : {}),
    },
    body: JSON.stringify({ to, from: cfg.from, text, idempotencyKey: ctx.idempotencyKey }),
  }, ctx.signal);
}

export async function sendSms(to: string, provider: SmsProviderConfig, ctx: SendContext): Promise<void> {
  const text = renderSms(ctx.summary);
  if (provider.kind === 'twilio') await sendTwilio(to, provider, text, ctx);
  else await sendHttp(to, provider, text, ctx);
}
