/**
 * What one media worker shares between its calls when the speech pipeline
 * answers them: the tenants, its own connection to the records store (SQLite
 * WAL allows one per thread), one set of speech providers (the offline engines
 * are process pools, so pools are per worker) and its phrase cache, warmed once
 * per tenant. Built on the first call, kept for the worker's life.
 */
import type { DialogEngine } from '../agent/engine.js';
import { createRulesEngine } from '../agent/dialog/rules-dialog-engine.js';
import { createLlmEngine } from '../agent/llm/llm-engine.js';
import { loadTenants, type TenantRegistry } from '../agent/tenant/loader.js';
import type { Tenant } from '../agent/tenant/schema.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { pipelinePhrases, resolvePipelineConfig, type PipelineConfig } from '../pipeline/index.js';
import { createSpeechProviders, type Language, type SpeechProviders } from '../providers/index.js';
import { openStore, type CallStore } from '../records/store.js';
import { PipelineHandlerOptionsSchema, type ResolvedPipelineHandlerOptions } from './pipeline-handler-options.js';

export interface PipelineWorkerContext {
  readonly options: ResolvedPipelineHandlerOptions;
  readonly tenants: TenantRegistry;
  readonly store: CallStore;
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
  const tenants = loadTenants(options.tenantsDir);
  // Bad overrides are refused here, at the worker's first call, naming the field.
  const probe = resolvePipelineConfig(options.pipeline);
  const speech = createSpeechProviders(options.env, {
    mode: options.providerMode,
    sttBudgetMs: probe.budgets.sttFinalMs,
    ttsFirstAudioMs: probe.budgets.ttsFirstAudioMs,
    logger: log,
  });
  // Summaries saved here queue their notifications in the same transaction; the main
  // thread's delivery worker polls the outbox and sends them.
  const store = openStore(options.dbPath, { delivery: { notifications: (tenantId) => tenants.get(tenantId)?.notifications } });
  const warmed = new Map<string, Promise<void>>();
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
      let p = warmed.get(tenant.id);
      if (!p) {
        const greetings = tenant.languages.flatMap((language) => {
          const text = tenant.greeting[language];
          return text ? [{ language, text }] : [];
        });
        p = speech.phrases.warm(tenant.id, [...greetings, ...pipelinePhrases(tenant.languages)]);
        warmed.set(tenant.id, p);
        p.catch((err: unknown) => {
          warmed.delete(tenant.id);
          log.warn({ tenant: tenant.id, err: err instanceof Error ? err.message : String(err) }, 'phrase cache warm-up failed');
        });
      }
      return p;
    },
  };
}
