/** Speech providers' public surface (see docs/pipeline.md). */
export { createSpeechProviders, type ProviderMode, type SpeechProviderOptions, type SpeechProviders } from './factory.js';
export { FILLERS, PhraseCache, type CachedPhrase, type FrameEncoders, type PhraseKey } from './tts/phrase-cache.js';
export { FRAME_MS, FRAME_SAMPLES, PIPELINE_RATE } from './audio/pcm.js';
export type { Language, TtsProvider, TtsRequest } from './tts/types.js';
export type { PartialResult, PartialStream, PartialStreamOptions, SttProvider, Transcript, Utterance, UtteranceResult } from './stt/types.js';
