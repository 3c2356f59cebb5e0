// From a tenant's notification config to outbox targets (kind + ref, no secrets), and back
// at send time: the worker resolves a ref against the current config, so rotated secrets and
// fixed addresses apply to retries, and the outbox never stores a credential.
import { createHash } from 'node:crypto';
import { TargetConfigError } from './errors.js';
import {
  DeliveryOperatorSchema,
  NotificationTargetsSchema,
  formatIssues,
  type CrmTarget,
  type DeliveryOperatorConfig,
  type NotificationTargets,
  type SmsProviderConfig,
  type SmtpConfig,
  type WebhookTarget,
} from './targets-schema.js';

export type TargetKind = 'email' | 'sms' | 'webhook' | 'crm';

/** One notification to send for a call. `ref` identifies the target within the tenant's config. */
export interface DeliveryTarget {
  kind: TargetKind;
  ref: string;
  /** What the dashboard shows; no secrets (a webhook shows origin and path only). */
  label: string;
}

export type ResolvedTarget =
  | { kind: 'email'; to: string; smtp: SmtpConfig }
  | { kind: 'sms'; to: string; provider: SmsProviderConfig }
  | { kind: 'webhook'; webhook: WebhookTarget }
  | { kind: 'crm'; crm: CrmTarget };

export function webhooksOf(t: NotificationTargets): WebhookTarget[] {
  if (!t.webhook) return [];
  return Array.isArray(t.webhook) ? t.webhook : [t.webhook];
}

/** A webhook's ref: a hash of its URL, since a URL may carry a token in its query. */
export function webhookRef(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 16);
}

/** Origin and path only: query strings and user info are dropped. */
export function safeUrlLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}

/** The targets to enqueue for every call of a tenant. */
export function planTargets(targets: NotificationTargets): DeliveryTarget[] {
  return [
    ...targets.email.map((to): DeliveryTarget => ({ kind: 'email', ref: to.toLowerCase(), label: to })),
    ...targets.sms.map((to): DeliveryTarget => ({ kind: 'sms', ref: to, label: to })),
    ...webhooksOf(targets).map((w): DeliveryTarget => ({ kind: 'webhook', ref: webhookRef(w.url), label: safeUrlLabel(w.url) })),
    ...(targets.crm ? [{ kind: 'crm', ref: targets.crm.kind, label: targets.crm.kind } satisfies DeliveryTarget] : []),
  ];
}

/** Validates unknown config (as the tenant file or API gave it); a clear error names each bad field. */
export function parseNotificationTargets(raw: unknown): NotificationTargets {
  const r = NotificationTargetsSchema.safeParse(raw ?? {});
  if (!r.success) throw new TargetConfigError(`invalid notification config: ${formatIssues(r.error)}`);
  return r.data;
}

export function parseOperatorConfig(raw: unknown): DeliveryOperatorConfig {
  const r = DeliveryOperatorSchema.safeParse(raw ?? {});
  if (!r.success) throw new TargetConfigError(`invalid operator delivery config: ${formatIssues(r.error)}`);
  return r.data;
}

/** Finds the target `kind`/`ref` in the tenant's current config, with the transport it needs. */
export function resolveTarget(
  kind: string,
  ref: string,
  targets: NotificationTargets,
  operator: DeliveryOperatorConfig,
): ResolvedTarget {
  switch (kind) {
    case 'email': {
      if (!targets.email.some((e) => e.toLowerCase() === ref)) throw new TargetConfigError(`email target ${ref} is no longer configured`);
      const smtp = targets.smtp ?? operator.smtp;
      if (!smtp) throw new TargetConfigError('no SMTP transport configured (tenant notifications.smtp or operator smtp)');
      return { kind, to: ref, smtp };
    }
    case 'sms': {
      if (!targets.sms.includes(ref)) throw new TargetConfigError(`SMS target ${ref} is no longer configured`);
      const provider = targets.smsProvider ?? operator.smsProvider;
      if (!provider) throw new TargetConfigError('no SMS provider configured (tenant notifications.smsProvider or operator smsProvider)');
      return { kind, to: ref, provider };
    }
    case 'webhook': {
      const webhook = webhooksOf(targets).find((w) => webhookRef(w.url) === ref);
      if (!webhook) throw new TargetConfigError(`webhook target ${ref} is no longer configured`);
      return { kind, webhook };
    }
    case 'crm': {
      if (!targets.crm || targets.crm.kind !== ref) throw new TargetConfigError(`CRM target ${ref} is no longer configured`);
      return { kind, crm: targets.crm };
    }
    default:
      throw new TargetConfigError(`unknown target kind ${JSON.stringify(kind)}`);
  }
}
