// This thread's records port: the one the worker pool transferred in the worker's data
// (MediaWorkerData.recordsPort), or one given by a host that runs call handlers in its own thread.
import { workerData, type MessagePort } from 'node:worker_threads';
import type { MediaWorkerData } from './worker-pool-messages.js';

let given: MessagePort | undefined;

/** For a host running call handlers outside the pool's workers (tests): the records writer's port. */
export function provideRecordsPort(port: MessagePort): void {
  given = port;
}

export function workerRecordsPort(): MessagePort | undefined {
  return given ?? (workerData as Partial<MediaWorkerData> | null)?.recordsPort;
}
