import { providerEnv, type PipelineHandlerOptions } from '../media/pipeline-handler-options.js';

/**
 * The speech-pipeline call handler for the worker pool: its module URL and its
 * options (tenants, records store, provider settings from the environment).
 * Offline providers (pocketsphinx + espeak-ng, rules dialog) without
 * OPENAI_API_KEY; the OpenAI-compatible ones, and the LLM dialog, with it.
 */
export function pipelineCallHandler(o: {
  tenantsDir: string;
  dbPath: string;
  env?: NodeJS.ProcessEnv;
  logLevel?: string;
  extra?: Partial<PipelineHandlerOptions>;
}): { module: URL; options: PipelineHandlerOptions } {
  const module = new URL(import.meta.url.endsWith('.ts') ? '../media/pipeline-call-handler.ts' : '../media/pipeline-call-handler.js', import.meta.url);
  return {
    module,
    options: {
      tenantsDir: o.tenantsDir,
      dbPath: o.dbPath,
      env: providerEnv(o.env ?? process.env),
      ...(o.logLevel ? { logLevel: o.logLevel } : {}),
      ...o.extra,
    },
  };
}
