// The same scenario suite on the LLM engine: the real openai client streams from the local OpenAI-compatible
// stub, whose scripted model answers each turn with tool calls; the action layer applies them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { startOpenAIStub, type OpenAIStub } from '../../bench/openai-stub/server.js';
import type { ChatScript } from '../../bench/openai-stub/chat.js';
import { createLlmEngine } from '../../src/agent/llm/llm-engine.js';
import { checkScenario, dialogText, loadScenarios, loadTestTenant, playScenario } from './support/scenarios.js';
import { oracleModel } from './support/oracle-model.js';

const scenarios = loadScenarios();
let stub: OpenAIStub;
let current: ChatScript = () => ({ failure: 'http500' });
let passed = 0;

beforeAll(async () => {
  stub = await startOpenAIStub({ chat: { script: (req, i) => current(req, i) } });
});
afterAll(async () => {
  await stub.close();
  console.log(`LLM engine scenario pass rate: ${passed}/${scenarios.length} (${((100 * passed) / scenarios.length).toFixed(1)}%)`);
});

describe('LLM engine scenarios (openai client + stub + tool calls)', () => {
  for (const s of scenarios) {
    it(`${s.file}: ${s.name}`, async () => {
      const tenant = loadTestTenant(s.tenant ?? 'demo', s.tenantOverride);
      const at = DateTime.fromISO(s.at ?? '2026-12-01T10:00', { zone: tenant.timeZone }).toJSDate();
      const callerNumber = s.caller === undefined ? (s.tenant === 'lakeside' ? '+18025550100' : '+15145550123') : s.caller;
      current = oracleModel({ tenant, clock: () => at, callerNumber, language: s.language ?? 'auto' });
      const before = stub.requests.length;
      const run = await playScenario(s, () => createLlmEngine({ apiKey: 'test-key', baseURL: stub.baseURL, model: 'stub-model', firstTokenTimeoutMs: 5000 }));
      const bad = checkScenario(s, run);
      if (run.engines.some((e) => e !== 'llm')) bad.push(`some turns fell back to rules: ${run.engines.join(',')}`);
      const toolRounds = stub.requests.slice(before).filter((r) => (r.body as { messages: { role: string }[] }).messages.at(-1)?.role === 'tool').length;
      if (toolRounds === 0) bad.push('the model never made a tool call');
      if (bad.length === 0) passed++;
      expect(bad, `${bad.join('\n')}\n--- dialog ---\n${dialogText(s, run)}`).toEqual([]);
    });
  }
});
