// Public interface of summary delivery: the outbox, its worker, target config, webhook signatures.
export type { CallSummary } from './summary-view.js';
export { migrateDeliveryOutbox } from './outbox-migrations.js';
export { PG_OUTBOX_MIGRATIONS } from './outbox-pg-migrations.js';
export { enqueueDeliveries, listDeliveries, redeliver, redactOutboxTranscripts, sqliteOutbox } from './outbox.js';
export { enqueueDeliveriesPg, pgOutbox } from './outbox-pg.js';
export { idempotencyKey } from './outbox-store.js';
export type { DeliveryOutbox, DeliveryRecord, DeliveryStatus, DeliveryFilter, ClaimedDelivery, ClaimRef, RecoverScope } from './outbox-store.js';
export { enqueueCallNotifications, enqueueCallNotificationsPg } from './enqueue-call.js';
export type { EnqueueResult } from './enqueue-call.js';
export { DeliveryWorker } from './worker.js';
export type { DeliveryWorkerOptions, RoundResult, TenantTargetsLookup, SettledEvent, AttemptOutcome } from './worker.js';
export { DEFAULT_BACKOFF, backoffDelay } from './backoff.js';
export type { BackoffPolicy } from './backoff.js';
export { planTargets, parseNotificationTargets } from './targets.js';
export type { DeliveryTarget, TargetKind } from './targets.js';
export {
  NotificationTargetsSchema,
  DeliveryOperatorSchema,
  SmtpSchema,
  SmsProviderSchema,
  WebhookTargetSchema,
  CrmTargetSchema,
  E164Schema,
} from './targets-schema.js';
export type { NotificationTargets, NotificationTargetsInput, DeliveryOperatorConfig } from './targets-schema.js';
export { verifyWebhookSignature, signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhook-signature.js';
export type { VerifyResult } from './webhook-signature.js';
export { renderEmail } from './render/email.js';
export { renderSms, smsSegments } from './render/sms.js';
