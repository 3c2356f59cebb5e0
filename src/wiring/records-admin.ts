// Wires records, delivery, tenant administration, the operator API and the dashboard for the gateway
// process (part of the composition root, called by src/main.ts). One SQLite file holds the admin tables,
// and the calls with their delivery outbox unless a PostgreSQL database is configured (DATABASE_URL), which
// then holds both (a summary and its notifications commit together wherever the calls are). The records
// writer applies the media workers' call records (over their records ports) to that store.
import { readFileSync } from 'node:fs';
import type { TemplatedApp } from 'uWebSockets.js';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import type { Tenant } from '../agent/tenant/schema.js';
import { DeliveryWorker, sqliteOutbox, type DeliveryOutbox } from '../delivery/index.js';
import { openStore, type CallStore } from '../records/store.js';
import { asyncStore, type RecordsStore } from '../records/records-store.js';
import { callRecords } from '../records/call-records.js';
import { resolveNodeId } from '../records/node-id.js';
import type { PgRecordsStore } from '../records/pg-store.js';
import type { SummaryDelivery } from '../records/types.js';
import { startRecordsWriter, type RecordsWriter } from './records-writer.js';
import { startRetentionSweeper } from '../records/retention.js';
import { registerDashboard } from '../dashboard/dashboard-routes.js';
import { AdminStore } from '../admin/admin-store.js';
import { registerOperatorApi } from '../admin/operator-api.js';
import { TenantDirectory } from '../admin/tenant-directory.js';
import { mayReadTenant, principalResolver } from '../admin/api-principal.js';
import type { GatewayTenants } from '../gateway/webrtc-gateway.js';
import { gatewayTenants } from './gateway-tenants.js';

export interface RecordsAdminOptions {
  /** SQLite file: admin tables, and the calls and the outbox unless `records` is given. */
  dbPath: string;
  /** PostgreSQL for the calls and the outbox (`await openPgStore(...)` for DATABASE_URL). Closed by stop(). */
  records?: PgRecordsStore;
  /** This node's id (calls, outbox claims); default the PostgreSQL store's, else resolveNodeId(process.env, dbPath). */
  nodeId?: string;
  fileTenants: Tenant[];
  log: Logger;
  /** Bootstrap operator keys (comma-separated FIRSTRING_OPERATOR_KEYS). */
  operatorKeys: string[];
  /** YAML/JSON file with the operator-wide SMTP and SMS provider (DeliveryOperatorSchema), optional. */
  deliveryOperatorFile?: string;
  secureCookie?: boolean;
}

export interface RecordsAdmin {
  /** The SQLite file (admin tables; the calls and the outbox too when `records.kind` is 'sqlite'). */
  store: CallStore;
  /** The configured call records store (SQLite or PostgreSQL). */
  records: RecordsStore;
  /** The delivery outbox of that store (its worker runs in this process). */
  outbox: DeliveryOutbox;
  nodeId: string;
  /** Applies the media workers' call records to `records`; give `writer.connectWorker` to the gateway and `writer.calls` to the recorder. */
  writer: RecordsWriter;
  /** Resolves once the calls left open by the previous run are closed as abandoned (await it before taking calls). */
  ready: Promise<void>;
  directory: TenantDirectory;
  admin: AdminStore;
  /** The tenants, assigned origins and call admission for the WebRTC gateway (`startWebRtcGateway({ tenants })`). */
  gatewayTenants: GatewayTenants;
  /** For routes outside the operator API that return a tenant's records (Authorization header, record's tenant). */
  authorizeTenantRead(authorization: string, tenantId: string): boolean;
  /** Stops the sweeper, the records writer (after its writes) and the delivery worker (pending rows resume at the next start), closes PostgreSQL; then close the store. */
  stop(): Promise<void>;
}

export function startRecordsAdmin(app: TemplatedApp, o: RecordsAdminOptions): RecordsAdmin {
  const { log } = o;
  let directory: TenantDirectory | undefined;
  let worker: DeliveryWorker | undefined;
  const notificationsOf = (tenantId: string): unknown => directory?.entry(tenantId)?.tenant.notifications;
  const delivery: SummaryDelivery = {
    notifications: notificationsOf,
    afterCommit: (callId: string, enqueued: number, configError?: string) => {
      if (configError) log.warn({ callId, error: configError }, 'notifications not queued: invalid notification config');
      if (enqueued > 0) worker?.wake();
    },
  };
  const nodeId = o.records?.nodeId ?? o.nodeId ?? resolveNodeId(process.env, o.dbPath);
  const store = openStore(o.dbPath, { nodeId, ...(o.records ? {} : { delivery }) });
  const admin = new AdminStore(store.database);
  directory = new TenantDirectory(admin, o.fileTenants);
  const dir = directory;

  const records = o.records ? o.records.withDelivery(delivery) : asyncStore(store);
  const outbox = o.records ? o.records.outbox : sqliteOutbox(store.database);
  log.info({ store: records.kind, nodeId }, 'call records store opened');
  const ready = records.abandonOpenCalls(new Date().toISOString()).then((abandoned) => {
    if (abandoned.length > 0) log.warn({ calls: abandoned.length }, 'calls left open by the previous run marked abandoned');
  });

  const operator = o.deliveryOperatorFile ? parseYaml(readFileSync(o.deliveryOperatorFile, 'utf8')) as unknown : undefined;
  worker = new DeliveryWorker({ outbox, workerId: nodeId, tenantTargets: notificationsOf, operator, logger: log });
  worker.start();

  const writer = startRecordsWriter(callRecords(records), log);
  const stopSweeper = startRetentionSweeper(records, {
    tenants: () => dir.entries().map((e) => ({ tenantId: e.tenant.id, retentionDays: e.retentionDays ?? undefined })),
    purgeCopies: (tenantId, before) => outbox.redactTranscripts(tenantId, Date.parse(before)),
  }, log);
  const deliveries = (callId: string) => outbox.list({ callId });
  registerOperatorApi(app, { directory: dir, admin, records, deliveries, operatorKeys: o.operatorKeys, log });
  registerDashboard(app, {
    directory: dir, admin, records, deliveries, log,
    redeliver: async (id) => {
      const ok = await outbox.redeliver(id);
      if (ok) worker?.wake();
      return ok;
    },
    ...(o.secureCookie !== undefined ? { secureCookie: o.secureCookie } : {}),
  });
  const w = worker;
  const resolvePrincipal = principalResolver(admin, o.operatorKeys);
  return {
    store, records, outbox, nodeId, writer, ready, directory: dir, admin,
    gatewayTenants: gatewayTenants(dir),
    authorizeTenantRead: (authorization, tenantId) => mayReadTenant(resolvePrincipal(authorization), tenantId),
    async stop() {
      stopSweeper();
      await writer.close();
      await w.stop();
      if (o.records) await records.close();
    },
  };
}
