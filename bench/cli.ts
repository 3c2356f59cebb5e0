/**
 * The bench suite's entry point: `npm run bench -- <calls|api|report> [options]`.
 * See bench/README.md.
 */
import { parseArgs } from 'node:util';
import { API_USAGE, parseApiArgs, runApiBench } from './api/run-api.js';
import { CALLS_USAGE, parseCallsArgs } from './load/options.js';
import { runCallBench } from './load/run-calls.js';
import { markdownOfResultsFile, renderResultsFile, writeResults } from './report/files.js';

const USAGE = `npm run bench -- <subcommand> [options]
  calls    call load against a gateway (fixed steps, --mode capacity, --mode soak)
  api      HTTP/WebSocket load with autocannon against the gateway and a bare uWebSockets.js route
  report   render a results JSON to self-contained HTML: report <results.json> [--out file.html]
           or print its summary table as Markdown: report <results.json> --markdown

${CALLS_USAGE}

${API_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || rest.includes('--help')) {
    console.log(USAGE);
    return sub ? 0 : 2;
  }
  if (sub === 'calls') {
    const { options, out } = parseCallsArgs(rest);
    const result = await runCallBench(options);
    const files = writeResults(out, result);
    console.log(`results: ${files.json}\nreport:  ${files.html}`);
    return 0;
  }
  if (sub === 'api') {
    const { options, out } = parseApiArgs(rest);
    const result = await runApiBench(options);
    const files = writeResults(out, result);
    console.log(`results: ${files.json}\nreport:  ${files.html}`);
    return 0;
  }
  if (sub === 'report') {
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { out: { type: 'string' }, markdown: { type: 'boolean', default: false } } });
    if (positionals.length !== 1) throw new Error('report needs exactly one results JSON path');
    console.log(values.markdown ? markdownOfResultsFile(positionals[0] as string) : renderResultsFile(positionals[0] as string, values.out));
    return 0;
  }
  throw new Error(`unknown subcommand "${sub}" (calls, api, report)`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
