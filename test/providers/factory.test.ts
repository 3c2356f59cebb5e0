import { describe, expect, it } from 'vitest';
import { createSpeechProviders } from '../../src/providers/factory.js';

describe('speech provider choice', () => {
  it('uses the offline providers without a key', async () => {
    const p = createSpeechProviders({});
    try {
      expect(p.mode).toBe('offline');
      expect(p.stt.id).toBe('pocketsphinx');
      expect(p.stt.languages).toEqual(['en']);
      expect(p.tts.id).toBe('espeak');
    } finally {
      await p.close();
    }
  });

  it('uses the OpenAI-compatible providers, backed by the offline ones, with a key', async () => {
    const p = createSpeechProviders({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' });
    try {
      expect(p.mode).toBe('openai');
      expect(p.stt.id).toBe('openai-stt>pocketsphinx');
      expect(p.stt.languages).toEqual(['en', 'fr']);
      expect(p.tts.id).toBe('openai-tts>espeak');
      expect(p.tts.sampleRate).toBe(16000);
    } finally {
      await p.close();
    }
  });

  it('refuses a bad base URL and a forced openai mode without a key', () => {
    expect(() => createSpeechProviders({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'not a url' })).toThrow(/OPENAI_BASE_URL/);
    expect(() => createSpeechProviders({}, { mode: 'openai' })).toThrow(/OPENAI_API_KEY is required/);
  });

  it('stays offline when the tenant asks for it even with a key', async () => {
    const p = createSpeechProviders({ OPENAI_API_KEY: 'k' }, { mode: 'offline' });
    try {
      expect(p.mode).toBe('offline');
    } finally {
      await p.close();
    }
  });
});
