/**
 * A media worker's tenant registry. The main thread is the source of truth: the
 * worker pool sends the effective tenant configs (files + operator and dashboard
 * edits) at worker start and after every change (`{ t: 'tenants' }`), and each
 * message replaces the registry. A handler reads it per call, so a new call sees
 * the latest config while calls in progress keep the tenant they started with.
 */
import { registryOf, type TenantRegistry } from '../agent/tenant/loader.js';
import type { Tenant } from '../agent/tenant/schema.js';

let pushed: TenantRegistry | undefined;

/** Replaces this thread's tenants with the main thread's (the `tenants` message). */
export function replaceWorkerTenants(tenants: Tenant[]): void {
  pushed = registryOf(tenants);
}

/**
 * The live registry of this thread: the main thread's tenants once it sent them, else
 * `fallback()` (loaded once; a pool started without a tenant feed, as in handler tests).
 */
export function workerTenants(fallback: () => TenantRegistry): TenantRegistry {
  let own: TenantRegistry | undefined;
  const current = (): TenantRegistry => pushed ?? (own ??= fallback());
  return { get: (id) => current().get(id), list: () => current().list() };
}
