/**
 * The local OpenAI-compatible stub (bench/openai-stub) as its own process for the call
 * bench, so provider time is chosen (delays) and its CPU is not the gateway's. Prints
 * `STUB <baseURL>` once listening; SIGTERM stops it.
 */
import { parseArgs } from 'node:util';
import { startOpenAIStub } from '../openai-stub/server.js';

const { values } = parseArgs({
  options: {
    'ttft-ms': { type: 'string', default: '0' },
    'ttfb-ms': { type: 'string', default: '0' },
    'stt-ms': { type: 'string', default: '0' },
  },
});
const ms = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number of ms`);
  return n;
};
const reply = 'Thank you. A technician can come tomorrow morning. May I have your address?';
const stub = await startOpenAIStub({
  chat: { script: () => ({ content: reply }), ttftMs: ms('ttft-ms', values['ttft-ms']), perTokenMs: 0 },
  audio: {
    transcription: { delayMs: ms('stt-ms', values['stt-ms']), text: 'My furnace stopped working this morning.' },
    speech: { firstByteDelayMs: ms('ttfb-ms', values['ttfb-ms']) },
  },
});
console.log(`STUB ${stub.baseURL}`);
const stop = (): void => {
  stub.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
