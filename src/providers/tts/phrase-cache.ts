/**
 * Synthesized phrases (greeting, confirmations, fillers) kept per tenant and
 * voice as ready-to-send 20 ms frames. A phrase holds one entry per frame
 * format: 16 kHz PCM always, and any encoding the media layer registers
 * (e.g. Opus), so a cached filler leaves without TTS or encoder work.
 */
import { Framer } from '../audio/pcm.js';
import { atPipelineRate } from './fallback.js';
import type { Language, TtsProvider } from './types.js';

/** Frame encoders by format name ("opus" ...), applied once when a phrase is cached. */
export type FrameEncoders = Record<string, (pcm16k: readonly Int16Array[]) => Uint8Array[]>;

export interface PhraseKey {
  tenantId: string;
  /** The TTS provider and voice that spoke it (a new voice is a new phrase). */
  ttsId: string;
  voice: string;
  language: Language;
  text: string;
}

export interface CachedPhrase {
  key: PhraseKey;
  /** 320-sample frames at 16 kHz. */
  pcm: readonly Int16Array[];
  /** Pre-encoded frames per format, parallel to `pcm`. */
  encoded: Readonly<Record<string, readonly Uint8Array[]>>;
  durationMs: number;
}

/** The fillers the pipeline plays when the LLM is slow. */
export const FILLERS: Record<Language, string> = { en: 'Okay, one moment.', fr: "D'accord, un instant." };

export function phraseKeyString(k: PhraseKey): string {
  return [k.tenantId, k.ttsId, k.voice, k.language, k.text.trim().replace(/\s+/g, ' ')].join('\u0000');
}

export class PhraseCache {
  private readonly entries = new Map<string, Promise<CachedPhrase>>();

  constructor(
    private readonly tts: TtsProvider,
    private readonly opts: { maxEntries?: number; encoders?: FrameEncoders } = {},
  ) {}

  key(tenantId: string, language: Language, text: string): PhraseKey {
    return { tenantId, ttsId: this.tts.id, voice: this.tts.voiceFor(language), language, text };
  }

  /** The phrase if it is cached and ready (never synthesizes). */
  async peek(tenantId: string, language: Language, text: string): Promise<CachedPhrase | undefined> {
    const p = this.entries.get(phraseKeyString(this.key(tenantId, language, text)));
    return p?.catch(() => undefined);
  }

  /** The phrase, synthesizing it once on first use; concurrent callers share the work. */
  get(tenantId: string, language: Language, text: string): Promise<CachedPhrase> {
    const key = this.key(tenantId, language, text);
    const k = phraseKeyString(key);
    let p = this.entries.get(k);
    if (!p) {
      p = this.synthesize(key);
      this.entries.set(k, p);
      p.catch(() => this.entries.delete(k));
      const max = this.opts.maxEntries ?? 500;
      if (this.entries.size > max) this.entries.delete(this.entries.keys().next().value as string);
    }
    return p;
  }

  /** Synthesizes a tenant's phrases ahead of its first call. */
  async warm(tenantId: string, phrases: ReadonlyArray<{ language: Language; text: string }>): Promise<void> {
    await Promise.all(phrases.map((p) => this.get(tenantId, p.language, p.text)));
  }

  get size(): number {
    return this.entries.size;
  }

  private async synthesize(key: PhraseKey): Promise<CachedPhrase> {
    const framer = new Framer();
    const pcm: Int16Array[] = [];
    for await (const chunk of atPipelineRate(this.tts, { text: key.text, language: key.language })) pcm.push(...framer.push(chunk));
    const last = framer.end();
    if (last) pcm.push(last);
    const encoded: Record<string, Uint8Array[]> = {};
    for (const [format, encode] of Object.entries(this.opts.encoders ?? {})) encoded[format] = encode(pcm);
    return { key, pcm, encoded, durationMs: pcm.length * 20 };
  }
}
