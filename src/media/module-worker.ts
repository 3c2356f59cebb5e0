/**
 * Starts a worker thread on a sibling module of this folder (`media-worker`, `handler-thread`):
 * the `.js` file of a build, or, running from TypeScript sources, the `.ts` file behind a boot
 * line that registers tsx's loader first (`execArgv: ['--import', 'tsx']` does not reach
 * worker threads on Node 20).
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function startModuleWorker(name: string, options: Pick<WorkerOptions, 'workerData' | 'transferList'>): Worker {
  const fromSources = import.meta.url.endsWith('.ts');
  const url = new URL(`./${name}.${fromSources ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSources) return new Worker(url, options);
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { ...options, eval: true });
}
