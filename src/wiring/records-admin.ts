// Wires records, delivery, tenant administration, the operator API and the dashboard for the gateway
// process (part of the composition root, called by src/main.ts): one SQLite file holds calls, the delivery outbox and the admin tables.
import { readFileSync } from 'node:fs';
import type { TemplatedApp } from 'uWebSockets.js';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import type { Tenant } from '../agent/tenant/schema.js';
import { DeliveryWorker, listDeliveries, redeliver } from '../delivery/index.js';
import { openStore, type CallStore } from '../records/store.js';
import { asyncStore, type RecordsStore } from '../records/records-store.js';
import { startRetentionSweeper } from '../records/retention.js';
import { registerDashboard } from '../dashboard/dashboard-routes.js';
import { AdminStore } from '../admin/admin-store.js';
import { registerOperatorApi } from '../admin/operator-api.js';
import { TenantDirectory } from '../admin/tenant-directory.js';
import { TenantLimiter } from '../admin/limits.js';
import { mayReadTenant, principalResolver } from '../admin/api-principal.js';

export interface RecordsAdminOptions {
  dbPath: string;
  fileTenants: Tenant[];
  log: Logger;
  /** Bootstrap operator keys (comma-separated FIRSTRING_OPERATOR_KEYS). */
  operatorKeys: string[];
  /** YAML/JSON file with the operator-wide SMTP and SMS provider (DeliveryOperatorSchema), optional. */
  deliveryOperatorFile?: string;
  secureCookie?: boolean;
}

export interface RecordsAdmin {
  store: CallStore;
  records: RecordsStore;
  directory: TenantDirectory;
  admin: AdminStore;
  limiter: TenantLimiter;
  /** For routes outside the operator API that return a tenant's records (Authorization header, record's tenant). */
  authorizeTenantRead(authorization: string, tenantId: string): boolean;
  /** Stops the sweeper and the delivery worker (pending rows resume at the next start); then close the store. */
  stop(): Promise<void>;
}

export function startRecordsAdmin(app: TemplatedApp, o: RecordsAdminOptions): RecordsAdmin {
  const { log } = o;
  let directory: TenantDirectory | undefined;
  let worker: DeliveryWorker | undefined;
  const notificationsOf = (tenantId: string): unknown => directory?.entry(tenantId)?.tenant.notifications;
  const store = openStore(o.dbPath, {
    delivery: {
      notifications: notificationsOf,
      afterCommit: (callId, enqueued, configError) => {
        if (configError) log.warn({ callId, error: configError }, 'notifications not queued: invalid notification config');
        if (enqueued > 0) worker?.wake();
      },
    },
  });
  const admin = new AdminStore(store.database);
  directory = new TenantDirectory(admin, o.fileTenants);
  const dir = directory;

  const abandoned = store.abandonOpenCalls(new Date().toISOString());
  if (abandoned.length > 0) log.warn({ calls: abandoned.length }, 'calls left open by the previous run marked abandoned');

  const operator = o.deliveryOperatorFile ? parseYaml(readFileSync(o.deliveryOperatorFile, 'utf8')) as unknown : undefined;
  worker = new DeliveryWorker({ db: store.database, tenantTargets: notificationsOf, operator, logger: log });
  worker.start();

  const records = asyncStore(store);
  const stopSweeper = startRetentionSweeper(records, {
    tenants: () => dir.entries().map((e) => ({ tenantId: e.tenant.id, retentionDays: e.retentionDays ?? undefined })),
  }, log);
  const deliveries = (callId: string) => listDeliveries(store.database, { callId });
  registerOperatorApi(app, { directory: dir, admin, records, deliveries, operatorKeys: o.operatorKeys, log });
  registerDashboard(app, {
    directory: dir, admin, records, deliveries, log,
    redeliver: (id) => {
      const ok = redeliver(store.database, id);
      if (ok) worker?.wake();
      return ok;
    },
    ...(o.secureCookie !== undefined ? { secureCookie: o.secureCookie } : {}),
  });
  const w = worker;
  const resolvePrincipal = principalResolver(admin, o.operatorKeys);
  return {
    store, records, directory: dir, admin,
    limiter: new TenantLimiter((id) => dir.entry(id)?.limits),
    authorizeTenantRead: (authorization, tenantId) => mayReadTenant(resolvePrincipal(authorization), tenantId),
    async stop() {
      stopSweeper();
      await w.stop();
    },
  };
}
