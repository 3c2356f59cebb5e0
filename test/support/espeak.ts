import { execFileSync } from 'node:child_process';

export type Voice = 'en' | 'fr' | 'en-us' | 'fr-fr';

/**
 * Speaks `text` with espeak-ng and returns 16-bit mono PCM at `rate` Hz
 * (sox resamples espeak's 22.05 kHz output). Used to make test speech at run time.
 */
export function speak(text: string, voice: Voice = 'en', rate = 16000, wpm = 165): Int16Array {
  const wav = execFileSync('espeak-ng', ['-v', voice, '-s', String(wpm), '--stdout', text], {
    maxBuffer: 64 << 20,
  });
  const raw = execFileSync('sox', ['-t', 'wav', '-', '-t', 'raw', '-r', String(rate), '-c', '1', '-e', 'signed', '-b', '16', '-L', '-'], {
    input: wav,
    maxBuffer: 64 << 20,
  });
  return new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength >> 1).slice();
}

/** 16-bit mono PCM as a WAV file (for Chromium's fake microphone and similar). */
export { encodeWav as wavBytes } from '../../src/providers/audio/pcm.js';
