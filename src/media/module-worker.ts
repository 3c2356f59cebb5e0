/**
 * Starts a worker thread on a sibling module of this folder (`media-worker`, `handler-thread`):
 * the `.js` file of a build, or, running from TypeScript sources, the `.ts` file behind a boot
 * line that registers tsx's loader first (`execArgv: ['--import', 'tsx']` does not reach
 * worker threads on Node 20). `youngGenerationMb` caps the thread's V8 young generation
 * (`resourceLimits.maxYoungGenerationSizeMb`); 0 or absent leaves V8's own sizing.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function startModuleWorker(
  name: string,
  start: Pick<WorkerOptions, 'workerData' | 'transferList'> & { youngGenerationMb?: number | undefined },
): Worker {
  const { youngGenerationMb, ...base } = start;
  const options: WorkerOptions = youngGenerationMb ? { ...base, resourceLimits: { maxYoungGenerationSizeMb: youngGenerationMb } } : base;
  const fromSources = import.meta.url.endsWith('.ts');
  const url = new URL(`./${name}.${fromSources ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSources) return new Worker(url, options);
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { ...options, eval: true });
}
