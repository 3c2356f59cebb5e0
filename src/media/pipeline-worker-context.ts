/**
 * What one media worker shares between its calls when the speech pipeline
 * answers them: the tenants, its CallLog over the records port (the main
 * thread's records writer keeps the database), one set of speech providers (the offline engines
 * are process pools, so pools are per worker) and its phrase cache, warmed once
 * per tenant. Built on the first call, kept for the worker's life.
 */
import type { DialogEngine } from '../agent/engine.js';
import { createRulesEngine } from '../agent/dialog/rules-dialog-engine.js';
import { createLlmEngine } from '../agent/llm/llm-engine.js';
import { loadTenants, type TenantRegistry } from '../agent/tenant/loader.js';
import type { Tenant } from '../agent/tenant/schema.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { workerTenants } from './worker-tenants.js';
import { pipelinePhrases, resolvePipelineConfig, type PipelineConfig } from '../pipeline/index.js';
import { createSpeechProviders, type Language, type SpeechProviders } from '../providers/index.js';
import type { CallLog } from '../agent/call-log.js';
import { createWorkerCallLog } from './worker-call-log.js';
import { workerRecordsPort } from './worker-records-port.js';
import { AGENT_VOICE_OPUS, phraseEncoders } from './opus-codec.js';
import { PipelineHandlerOptionsSchema, type ResolvedPipelineHandlerOptions } from './pipeline-handler-options.js';

export interface PipelineWorkerContext {
  readonly options: ResolvedPipelineHandlerOptions;
  readonly tenants: TenantRegistry;
  /** The call records, through the records port to the main thread's writer (the worker opens no database). */
  readonly store: CallLog;
  readonly speech: SpeechProviders;
  readonly log: Logger;
  /** A tenant's pipeline settings (budgets, endpointing, its vocabulary for STT). */
  pipelineConfig(tenant: Tenant): PipelineConfig;
  /** The dialog engine for a new call: the LLM one (which falls back to the rules per turn) when a key is set. */
  engine(): DialogEngine;
  /** The conversation language to fix at call start, or `auto` when the recognizer understands every tenant language. */
  callLanguage(tenant: Tenant): 'auto' | Language;
  /** Synthesizes the tenant's greeting, fillers and apologies once per worker; later calls reuse the promise. */
  warm(tenant: Tenant): Promise<void>;
}

let shared: PipelineWorkerContext | undefined;

/** The CallLog over the records port the worker pool gave this worker. */
function workerCallLog(): CallLog {
  const port = workerRecordsPort();
  if (!port) throw new Error('the pipeline call handler needs a records port: start the gateway with `recordsPort` (src/wiring/records-writer.ts)');
  return createWorkerCallLog(port);
}

/** The worker's context, created from the handler options on first use. */
export function pipelineWorkerContext(rawOptions: unknown): PipelineWorkerContext {
  if (shared) return shared;
  const parsed = PipelineHandlerOptionsSchema.safeParse(rawOptions);
  if (!parsed.success) {
    throw new Error(`invalid pipeline handler options: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  shared = buildContext(parsed.data);
  return shared;
}

function buildContext(options: ResolvedPipelineHandlerOptions): PipelineWorkerContext {
  const log = createLogger(options.logLevel).child({ component: 'pipeline-handler' });
  // The main thread's tenants, replaced on every change (worker-tenants.ts); the files only without a feed.
  const tenants = workerTenants(() => loadTenants(options.tenantsDir));
  // Bad overrides are refused here, at the worker's first call, naming the field.
  const probe = resolvePipelineConfig(options.pipeline);
  const speech = createSpeechProviders(options.env, {
    mode: options.providerMode,
    sttBudgetMs: probe.budgets.sttFinalMs,
    ttsFirstAudioMs: probe.budgets.ttsFirstAudioMs,
    // Cached phrases are Opus-encoded once, with the pacer's settings, and sent without encoding.
    encoders: phraseEncoders(AGENT_VOICE_OPUS),
    logger: log,
  });
  // The main thread's records writer applies the sessions' writes to the configured store and saves
  // each summary with its notifications in one transaction.
  const store = workerCallLog();
  // Keyed by the tenant object: an edited tenant (a new greeting) is warmed again.
  const warmed = new WeakMap<Tenant, Promise<void>>();
  const env = options.env;
  const apiKey = options.providerMode === 'offline' ? undefined : env.OPENAI_API_KEY;
  log.info({ providers: speech.mode, llm: apiKey !== undefined }, 'speech pipeline ready in media worker');

  return {
    options,
    tenants,
    store,
    speech,
    log,
    pipelineConfig: (tenant) => resolvePipelineConfig({ ...options.pipeline, vocabulary: [tenant.name] }),
    engine: () =>
      apiKey
        ? createLlmEngine({
            apiKey,
            baseURL: env.OPENAI_BASE_URL,
            model: env.OPENAI_MODEL ?? 'gpt-4o-mini',
            firstTokenTimeoutMs: options.llmFirstTokenTimeoutMs,
            stallTimeoutMs: options.llmStallTimeoutMs,
            log,
          })
        : createRulesEngine(),
    callLanguage: (tenant) => {
      const heard = speech.stt.languages;
      if (tenant.languages.every((l) => heard.includes(l))) return 'auto';
      // An offline (English-only) recognizer: open in a language it understands when the tenant speaks one.
      if (heard.includes(tenant.defaultLanguage)) return tenant.defaultLanguage;
      return tenant.languages.find((l) => heard.includes(l)) ?? 'auto';
    },
    warm: (tenant) => {
      let p = warmed.get(tenant);
      if (!p) {
        const greetings = tenant.languages.flatMap((language) => {
          const text = tenant.greeting[language];
          return text ? [{ language, text }] : [];
        });
        p = speech.phrases.warm(tenant.id, [...greetings, ...pipelinePhrases(tenant.languages)]);
        warmed.set(tenant, p);
        p.catch((err: unknown) => {
          warmed.delete(tenant);
          log.warn({ tenant: tenant.id, err: err instanceof Error ? err.message : String(err) }, 'phrase cache warm-up failed');
        });
      }
      return p;
    },
  };
}
