// Talk to the receptionist in the terminal: npm run chat -- --tenant demo [--language auto|en|fr] [--caller +15145550123]
// [--clock 2026-12-01T15:00:00Z] [--db :memory:]. With OPENAI_API_KEY (and optional OPENAI_BASE_URL, OPENAI_MODEL)
// the LLM engine answers, falling back to the rules engine on errors. Lines can also be piped in.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadTenants } from '../src/agent/tenant/loader.js';
import { openStore } from '../src/records/store.js';
import { asyncStore } from '../src/records/records-store.js';
import { createDialogSession } from '../src/agent/session.js';
import { createLlmEngine } from '../src/agent/llm/llm-engine.js';

const { values } = parseArgs({
  options: {
    tenant: { type: 'string', default: 'demo' },
    language: { type: 'string', default: 'auto' },
    caller: { type: 'string' },
    clock: { type: 'string' },
    db: { type: 'string', default: ':memory:' },
    tenants: { type: 'string', default: 'config/tenants' },
  },
});

async function main(): Promise<void> {
  const tenant = loadTenants(values.tenants).get(values.tenant);
  if (!tenant) throw new Error(`unknown tenant "${values.tenant}"`);
  const language = values.language === 'en' || values.language === 'fr' ? values.language : 'auto';
  const fixed = values.clock ? new Date(values.clock) : null;
  if (fixed && Number.isNaN(fixed.getTime())) throw new Error(`--clock: not a date: ${values.clock}`);
  const store = openStore(values.db);
  const engine = process.env.OPENAI_API_KEY
    ? createLlmEngine({ apiKey: process.env.OPENAI_API_KEY, baseURL: process.env.OPENAI_BASE_URL, model: process.env.OPENAI_MODEL ?? 'gpt-4o-mini' })
    : undefined;
  const session = createDialogSession({
    tenant, channel: 'text', callerNumber: values.caller ?? null, language, store: asyncStore(store), ...(engine ? { engine } : {}),
    ...(fixed ? { clock: () => fixed } : {}),
  });
  const out = (s: string): void => void process.stdout.write(s);
  out(`agent> ${session.greeting().text}\n`);
  const rl = createInterface({ input: process.stdin, terminal: process.stdin.isTTY });
  if (process.stdin.isTTY) out('you> ');
  for await (const line of rl) {
    if (!line.trim()) continue;
    if (!process.stdin.isTTY) out(`you> ${line}\n`);
    out('agent> ');
    let final = null;
    for await (const c of session.respond(line)) {
      if (c.type === 'text') out(c.text);
      else final = c;
    }
    out('\n');
    if (final?.endCall) break;
    if (process.stdin.isTTY) out('you> ');
  }
  rl.close();
  const summary = await session.end('caller_hangup');
  out(`\n--- summary ---\n${JSON.stringify({ ...summary, transcript: `${summary.transcript.length} entries` }, null, 2)}\n`);
  store.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
