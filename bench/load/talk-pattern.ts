import { readFileSync, writeFileSync } from 'node:fs';
import { synthesizeDemoPhrase } from '../../src/media/webrtc-demo-voice.js';

export type Language = 'en' | 'fr';

/** What every synthetic caller does once connected. */
export interface TalkPattern {
  /** Languages of the caller's turns, cycled turn after turn. */
  languages: Language[];
  /** Silence between the end of the agent's reply and the caller's next utterance. */
  pauseMs: number;
  /** Barge in on every k-th turn's reply (0: never). */
  bargeInEvery: number;
  /** How far into the agent's reply the caller starts talking over it. */
  bargeInAtMs: number;
  /** How long each call lasts from connection (the orchestrator also ends calls at the end of a step). */
  holdMs: number;
  /** Caller turns per call, then it hangs up (0: as many as the hold time allows). */
  maxTurns?: number;
}

const PHRASES: Record<Language, string[]> = {
  en: ['My furnace stopped working this morning.', 'There is water leaking under the kitchen sink.', 'Can someone come tomorrow afternoon?'],
  fr: ['Mon chauffe-eau ne fonctionne plus depuis hier.', "Il y a une fuite d'eau sous l'évier de la cuisine.", 'Pouvez-vous venir demain matin?'],
};
// Barge-ins are one breath with no comma pause, so a detector that needs continuous voice hears them as one interruption.
const BARGE: Record<Language, string> = { en: 'Hold on I need to tell you something else', fr: 'Attendez je dois vous dire autre chose' };
const VOICE: Record<Language, string> = { en: 'en-us', fr: 'fr-fr' };

/** Caller speech, 16 kHz mono PCM, synthesized once per run and shared by every worker. */
export interface Utterances {
  turns: Record<Language, Int16Array[]>;
  bargeIns: Record<Language, Int16Array>;
}

export function synthesizeUtterances(languages: readonly Language[]): Utterances {
  const turns = { en: [], fr: [] } as Record<Language, Int16Array[]>;
  const bargeIns = { en: new Int16Array(0), fr: new Int16Array(0) } as Record<Language, Int16Array>;
  for (const lang of new Set(languages)) {
    turns[lang] = PHRASES[lang].map((p) => synthesizeDemoPhrase(p, VOICE[lang]));
    bargeIns[lang] = synthesizeDemoPhrase(BARGE[lang], VOICE[lang]);
  }
  return { turns, bargeIns };
}

const b64 = (pcm: Int16Array): string => Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64');
const pcm = (s: string): Int16Array => {
  const b = Buffer.from(s, 'base64');
  return new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

export function saveUtterances(path: string, u: Utterances): void {
  const out = {
    turns: { en: u.turns.en.map(b64), fr: u.turns.fr.map(b64) },
    bargeIns: { en: b64(u.bargeIns.en), fr: b64(u.bargeIns.fr) },
  };
  writeFileSync(path, JSON.stringify(out));
}

export function loadUtterances(path: string): Utterances {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as { turns: Record<Language, string[]>; bargeIns: Record<Language, string> };
  return {
    turns: { en: raw.turns.en.map(pcm), fr: raw.turns.fr.map(pcm) },
    bargeIns: { en: pcm(raw.bargeIns.en), fr: pcm(raw.bargeIns.fr) },
  };
}

/** Milliseconds of leading near-silence (|sample| below `threshold`) before speech starts. */
export function leadingSilenceMs(pcm: Int16Array, rate = 16000, threshold = 500): number {
  for (let i = 0; i < pcm.length; i++) if (Math.abs(pcm[i] as number) >= threshold) return (i / rate) * 1000;
  return (pcm.length / rate) * 1000;
}

export function parseLanguages(spec: string): Language[] {
  const langs = spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (langs.length === 0) throw new Error('--languages needs at least one of en, fr');
  for (const l of langs) if (l !== 'en' && l !== 'fr') throw new Error(`--languages: unknown language "${l}" (en, fr)`);
  return langs as Language[];
}
