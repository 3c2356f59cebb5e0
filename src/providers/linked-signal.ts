/**
 * An AbortSignal that aborts when any of its parents does, and lets go of them when the
 * work it guarded is over. It replaces `AbortSignal.any()`, whose composites Node 20
 * keeps reachable from a parent that outlives them once a listener was added to them
 * (nodejs/node#55351, #64476): a per-turn parent combined once per request would grow
 * a call's heap for as long as the call lasts.
 */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** Removes the listeners on the parents (idempotent); call it when the guarded work ends. */
  dispose(): void;
}

export function linkSignals(parents: readonly AbortSignal[]): LinkedSignal {
  const ac = new AbortController();
  const onAbort = (ev: Event): void => {
    dispose();
    ac.abort((ev.target as AbortSignal).reason);
  };
  const dispose = (): void => {
    for (const p of parents) p.removeEventListener('abort', onAbort);
  };
  for (const p of parents) {
    if (p.aborted) {
      dispose();
      ac.abort(p.reason);
      break;
    }
    p.addEventListener('abort', onAbort);
  }
  return { signal: ac.signal, dispose };
}
