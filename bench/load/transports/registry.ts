import type { CallerTransport } from './types.js';

/**
 * Caller transports by name. Each entry loads its module lazily so a run only pays for
 * the transport it uses (werift is heavy). To add one: write `<name>.ts` default-exporting
 * a CallerTransport and add a line here.
 */
const loaders: Record<string, () => Promise<{ default: CallerTransport }>> = {
  webrtc: () => import('./webrtc.js'),
  'webrtc-lean': () => import('./webrtc-lean.js'),
};

export function transportNames(): string[] {
  return Object.keys(loaders);
}

export async function loadTransport(name: string): Promise<CallerTransport> {
  const load = Object.hasOwn(loaders, name) ? loaders[name] : undefined;
  if (!load) throw new Error(`unknown caller transport "${name}"; known: ${transportNames().join(', ')}`);
  const mod = await load();
  if (mod.default.name !== name) throw new Error(`transport module for "${name}" exports "${mod.default.name}"`);
  return mod.default;
}
