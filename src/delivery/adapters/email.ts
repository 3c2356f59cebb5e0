// Email through SMTP with nodemailer (RFC 5321; STARTTLS per RFC 3207).
import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import { DeliveryError } from '../errors.js';
import { renderEmail } from '../render/email.js';
import type { SmtpConfig } from '../targets-schema.js';
import type { SendContext } from './context.js';

/** A stable Message-ID per call and target, so a duplicate after a lost reply is recognisable. */
function messageId(key: string, from: string): string {
  const domain = /@([^>\s]+)/.exec(from)?.[1] ?? 'firstring.invalid';
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@${domain}>`;
}

export async function sendEmail(to: string, smtp: SmtpConfig, ctx: SendContext): Promise<void> {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: !smtp.secure && smtp.requireTLS,
    tls: { rejectUnauthorized: smtp.rejectUnauthorized },
    ...(smtp.auth ? { auth: { user: smtp.auth.user, pass: smtp.auth.pass } } : {}),
    connectionTimeout: ctx.timeoutMs,
    greetingTimeout: ctx.timeoutMs,
    socketTimeout: ctx.timeoutMs,
  });
  const mail = renderEmail(ctx.summary);
  const onAbort = () => transport.close();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await transport.sendMail({
      from: smtp.from,
      to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: messageId(ctx.idempotencyKey, smtp.from),
      priority: ctx.summary.urgency === 'emergency' ? 'high' : 'normal',
      headers: { 'X-Firstring-Call-Id': ctx.summary.callId, 'X-Firstring-Urgency': ctx.summary.urgency },
    });
  } catch (err) {
    const e = err as { responseCode?: number; code?: string; message?: string };
    // RFC 5321 §4.2.1: 5yz replies are permanent, 4yz transient; connection failures are transient.
    const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500 && e.code !== 'EAUTH';
    const detail = e.responseCode ? `${e.responseCode} ${e.message ?? ''}` : `${e.code ?? ''} ${e.message ?? String(err)}`;
    throw new DeliveryError(`SMTP ${smtp.host}:${smtp.port}: ${detail.trim()}`, !permanent, { cause: err });
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    transport.close();
  }
}
