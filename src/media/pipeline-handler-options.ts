import { z } from 'zod';

/**
 * Options of the pipeline call handler, given once to the media worker pool and
 * structured-cloned into every worker. Secrets (the API key) travel here but are
 * never logged.
 */
export const PipelineHandlerOptionsSchema = z.object({
  /** Directory of tenant files (`config/tenants`). */
  tenantsDir: z.string().min(1),
  /** SQLite file of the records store; each worker opens its own connection (WAL). */
  dbPath: z.string().min(1),
  /** Provider settings: OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL, OPENAI_STT_MODEL, OPENAI_TTS_MODEL, OPENAI_TTS_VOICE. */
  env: z.record(z.string(), z.string()).default({}),
  /** `auto`: OpenAI-compatible providers and LLM when OPENAI_API_KEY is set, offline otherwise. */
  providerMode: z.enum(['auto', 'offline', 'openai']).default('auto'),
  /** LLM first-token and stall timeouts before the rules engine answers the turn instead. */
  llmFirstTokenTimeoutMs: z.number().int().min(100).max(60_000).default(4000),
  llmStallTimeoutMs: z.number().int().min(100).max(60_000).default(4000),
  /** Tenant-wide pipeline overrides (budgets, endpointing), checked by `resolvePipelineConfig`. */
  pipeline: z.record(z.string(), z.unknown()).default({}),
  /** Pause after the goodbye has drained before the agent hangs up. */
  hangupGraceMs: z.number().int().min(0).max(5000).default(300),
  /**
   * When set, every pipeline turn record and metric is posted on a `BroadcastChannel`
   * of this name (bench and tests read per-stage timings from it).
   */
  traceChannel: z.string().min(1).optional(),
  logLevel: z.string().default('info'),
});

export type PipelineHandlerOptions = z.input<typeof PipelineHandlerOptionsSchema>;
export type ResolvedPipelineHandlerOptions = z.infer<typeof PipelineHandlerOptionsSchema>;

/** The provider variables the handler reads from the environment. */
export const PROVIDER_ENV_KEYS = ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_MODEL', 'OPENAI_STT_MODEL', 'OPENAI_TTS_MODEL', 'OPENAI_TTS_VOICE'] as const;

/** Only the provider variables of `env` that are set. */
export function providerEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of PROVIDER_ENV_KEYS) {
    const v = env[k];
    if (v) out[k] = v;
  }
  return out;
}
