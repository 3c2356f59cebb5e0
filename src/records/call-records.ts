// One records store shared by several writers of the same call (the media workers' dialog sessions,
// the WebRTC recorder, the pipeline's latency figures): each call's operations run one after the
// other in the order they were submitted, different calls concurrently.
import type { RecordsStore } from './records-store.js';

export interface CallRecords {
  readonly store: RecordsStore;
  /** Runs `op` once the operations already submitted for `callId` have settled; resolves or rejects with it. */
  inCall<T>(callId: string, op: (store: RecordsStore) => Promise<T>): Promise<T>;
  /** Resolves once every operation submitted so far for `callId` has settled. */
  settled(callId: string): Promise<void>;
  /** Resolves once every operation submitted so far, for any call, has settled. */
  drain(): Promise<void>;
}

export function callRecords(store: RecordsStore): CallRecords {
  const tails = new Map<string, Promise<void>>();
  const inCall = <T>(callId: string, op: (s: RecordsStore) => Promise<T>): Promise<T> => {
    const done = (tails.get(callId) ?? Promise.resolve()).then(() => op(store));
    const tail = done.then(() => undefined, () => undefined);
    tails.set(callId, tail);
    void tail.then(() => {
      if (tails.get(callId) === tail) tails.delete(callId);
    });
    return done;
  };
  return {
    store,
    inCall,
    settled: (callId) => inCall(callId, async () => undefined),
    drain: async () => {
      while (tails.size > 0) await Promise.all(tails.values());
    },
  };
}
