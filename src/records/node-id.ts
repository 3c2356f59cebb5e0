// The gateway node's id, stored on each call it takes (calls.node_id) and on each outbox row its
// delivery worker claims (delivery_outbox.claimed_by). At start a node closes only its own calls left
// open and requeues only its own interrupted deliveries, so nodes sharing one PostgreSQL database do
// not close each other's live calls. It must be stable across restarts of a node and unique among
// the nodes running at once.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';

const NODE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

export class NodeIdError extends Error {
  constructor(value: string) {
    super(`NODE_ID must be 1 to 100 characters of letters, digits, '.', '_', ':' or '-', starting with a letter or digit (got ${JSON.stringify(value.slice(0, 120))})`);
    this.name = 'NodeIdError';
  }
}

/**
 * `NODE_ID` when set (validated), else the host name and a suffix derived from the node's data file
 * path (stable across restarts; two gateways on one host with different data files differ).
 */
export function resolveNodeId(env: NodeJS.ProcessEnv, dataPath: string): string {
  const given = env.NODE_ID?.trim();
  if (given !== undefined && given !== '') {
    if (!NODE_ID.test(given)) throw new NodeIdError(given);
    return given;
  }
  const host = hostname().replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 80) || 'node';
  const suffix = createHash('sha256').update(resolve(dataPath)).digest('hex').slice(0, 8);
  return `${host}-${suffix}`;
}

/**
 * Calls of other nodes still `active` after this long are closed as abandoned too at start: no call
 * lasts that long, so their node is gone (or came back under another id).
 */
export const STALE_CALL_MS = 12 * 3_600_000;
