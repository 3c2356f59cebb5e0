// Notification targets and transports, validated with zod. The tenant config embeds
// NotificationTargetsSchema under `notifications`; the operator config embeds DeliveryOperatorSchema.
// Secret fields (passwords, tokens, webhook secrets) are plain strings here and never logged.
import { z } from 'zod';
import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * Where the summary of an empty call goes (the caller said nothing and left no number: a widget opened
 * and closed, a hang-up during the greeting): webhooks only, every channel, or none (empty-call.ts).
 */
export const EMPTY_CALL_POLICIES = ['webhook', 'all', 'none'] as const;
export type EmptyCallPolicy = (typeof EMPTY_CALL_POLICIES)[number];

/** An E.164 number (`+` then up to 15 digits) that libphonenumber-js accepts as valid and canonical. */
export const E164Schema = z.string().refine((s) => {
  if (!/^\+[1-9]\d{1,14}$/.test(s)) return false;
  const p = parsePhoneNumberFromString(s);
  return p !== undefined && p.isValid() && p.number === s;
}, { message: 'must be a valid phone number in E.164 form, e.g. +15145550123' });

export const SmtpSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    /** Implicit TLS from the first byte (usually port 465). */
    secure: z.boolean().default(false),
    /** Without `secure`, refuse to send unless the server upgrades with STARTTLS (RFC 3207). */
    requireTLS: z.boolean().default(true),
    /** Verify the server certificate; turn off only for a private relay with a self-signed certificate. */
    rejectUnauthorized: z.boolean().default(true),
    auth: z.object({ user: z.string().min(1), pass: z.string().min(1) }).strict().optional(),
    /** Sender, `address@example.com` or `Name <address@example.com>`. */
    from: z.string().min(3),
  })
  .strict();

export const TwilioSmsSchema = z
  .object({
    kind: z.literal('twilio'),
    accountSid: z.string().min(1),
    authToken: z.string().min(1),
    from: E164Schema,
    /** Any Twilio-compatible Messages API. */
    baseUrl: z.url().default('https://api.twilio.com'),
  })
  .strict();

export const HttpSmsSchema = z
  .object({
    kind: z.literal('http'),
    /** Receives POST {to, from, text, idempotencyKey} as JSON. */
    url: z.url(),
    from: E164Schema,
    /** Sent as `Authorization: Bearer <token>` when given. */
    bearerToken: z.string().min(1).optional(),
  })
  .strict();

export const SmsProviderSchema = z.discriminatedUnion('kind', [TwilioSmsSchema, HttpSmsSchema]);

export const WebhookTargetSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
    /** HMAC-SHA256 key for X-Firstring-Signature; at least 16 characters. */
    secret: z.string().min(16),
  })
  .strict();

export const JobberCrmSchema = z
  .object({
    kind: z.literal('jobber'),
    accessToken: z.string().min(1),
    endpoint: z.url().default('https://api.getjobber.com/api/graphql'),
    /** X-JOBBER-GRAPHQL-VERSION: one of Jobber's active API versions. */
    apiVersion: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD').default('2025-01-20'),
  })
  .strict();

export const HousecallProCrmSchema = z
  .object({
    kind: z.literal('housecallpro'),
    apiKey: z.string().min(1),
    baseUrl: z.url().default('https://api.housecallpro.com'),
  })
  .strict();

export const CrmTargetSchema = z.discriminatedUnion('kind', [JobberCrmSchema, HousecallProCrmSchema]);

/** A tenant's notification targets. Compatible with issue 4's `{sms, email, webhook}` shape. */
export const NotificationTargetsSchema = z
  .object({
    sms: z.array(E164Schema).default([]),
    email: z.array(z.email()).default([]),
    webhook: z.union([WebhookTargetSchema, z.array(WebhookTargetSchema)]).optional(),
    crm: CrmTargetSchema.optional(),
    /** Tenant's own SMTP relay; the operator's is used otherwise. */
    smtp: SmtpSchema.optional(),
    /** Tenant's own SMS provider account; the operator's is used otherwise. */
    smsProvider: SmsProviderSchema.optional(),
    /** Where an empty call's summary goes (EMPTY_CALL_POLICIES); webhooks only by default. */
    emptyCalls: z.enum(EMPTY_CALL_POLICIES).default('webhook'),
  })
  .strict();

/** Operator-wide transports used by tenants that bring none. */
export const DeliveryOperatorSchema = z
  .object({
    smtp: SmtpSchema.optional(),
    smsProvider: SmsProviderSchema.optional(),
  })
  .strict();

export type SmtpConfig = z.infer<typeof SmtpSchema>;
export type SmsProviderConfig = z.infer<typeof SmsProviderSchema>;
export type TwilioSmsConfig = z.infer<typeof TwilioSmsSchema>;
export type HttpSmsConfig = z.infer<typeof HttpSmsSchema>;
export type WebhookTarget = z.infer<typeof WebhookTargetSchema>;
export type CrmTarget = z.infer<typeof CrmTargetSchema>;
export type JobberCrmConfig = z.infer<typeof JobberCrmSchema>;
export type HousecallProCrmConfig = z.infer<typeof HousecallProCrmSchema>;
export type NotificationTargets = z.infer<typeof NotificationTargetsSchema>;
export type NotificationTargetsInput = z.input<typeof NotificationTargetsSchema>;
export type DeliveryOperatorConfig = z.infer<typeof DeliveryOperatorSchema>;

/** zod issues as one line naming each field; values are never echoed, so secrets stay out. */
export function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}
