// This thread's records port: the one the pool transferred in the thread's data (a handler
// thread's HandlerThreadData.recordsPort, or a media worker's with inline handlers), or one
// given by a host that runs call handlers in its own thread.
import { workerData, type MessagePort } from 'node:worker_threads';
import type { HandlerThreadData } from './handler-thread-messages.js';
import type { MediaWorkerData } from './worker-pool-messages.js';

let given: MessagePort | undefined;

/** For a host running call handlers outside the pool's workers (tests): the records writer's port. */
export function provideRecordsPort(port: MessagePort): void {
  given = port;
}

export function workerRecordsPort(): MessagePort | undefined {
  return given ?? (workerData as Partial<MediaWorkerData | HandlerThreadData> | null)?.recordsPort;
}
