/** Starts the OpenAI-compatible stub server with its audio routes for provider and pipeline tests. */
import type { AudioStubOptions } from '../../bench/openai-stub/audio.js';
import { startOpenAIStub } from '../../bench/openai-stub/server.js';

export interface AudioStub {
  baseURL: string;
  /** Read on every request: tests change delays and failures mid-call. */
  opts: AudioStubOptions & Required<Pick<AudioStubOptions, 'counts' | 'log'>>;
  close(): Promise<void>;
}

export async function startAudioStub(): Promise<AudioStub> {
  const opts: AudioStub['opts'] = {
    counts: { transcriptions: 0, speech: 0 },
    log: { transcriptions: [], speech: [] },
  };
  const stub = await startOpenAIStub({ audio: opts });
  return { baseURL: stub.baseURL, opts, close: () => stub.close() };
}
