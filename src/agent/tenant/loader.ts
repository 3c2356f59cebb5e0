// Loads and validates tenant configuration files (YAML or JSON) from a directory.
import { readFileSync, readdirSync } from 'node:fs';
import { join, extname, basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { TenantSchema, type Tenant } from './schema.js';

export class TenantConfigError extends Error {
  constructor(readonly source: string, readonly problems: string[]) {
    super(`${source}: ${problems.join('; ')}`);
    this.name = 'TenantConfigError';
  }
}

function formatIssues(issues: z.core.$ZodIssue[]): string[] {
  return issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}

/** Validates an already-parsed tenant object; throws TenantConfigError naming each field path and problem. */
export function parseTenant(raw: unknown, source = 'tenant'): Tenant {
  const parsed = TenantSchema.safeParse(raw);
  if (!parsed.success) throw new TenantConfigError(source, formatIssues(parsed.error.issues));
  return parsed.data;
}

/** Parses YAML or JSON text into a validated tenant. */
export function parseTenantText(text: string, source = 'tenant'): Tenant {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new TenantConfigError(source, [`not valid YAML/JSON: ${(err as Error).message}`]);
  }
  return parseTenant(raw, source);
}

export function loadTenantFile(path: string): Tenant {
  const tenant = parseTenantText(readFileSync(path, 'utf8'), basename(path));
  const stem = basename(path, extname(path));
  if (tenant.id !== stem) throw new TenantConfigError(basename(path), [`id: "${tenant.id}" must match the file name "${stem}"`]);
  return tenant;
}

export interface TenantRegistry {
  get(id: string): Tenant | undefined;
  list(): Tenant[];
}

/** Loads every *.yaml, *.yml and *.json file of a directory; any invalid file fails the whole load. */
export function loadTenants(dir: string): TenantRegistry {
  const map = new Map<string, Tenant>();
  for (const file of readdirSync(dir).sort()) {
    if (!/\.(ya?ml|json)$/.test(file)) continue;
    const tenant = loadTenantFile(join(dir, file));
    map.set(tenant.id, tenant);
  }
  return registryOf([...map.values()]);
}

export function registryOf(tenants: Tenant[]): TenantRegistry {
  const map = new Map(tenants.map((t) => [t.id, t]));
  return { get: (id) => map.get(id), list: () => [...map.values()] };
}
