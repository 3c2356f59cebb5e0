import { execFileSync } from 'node:child_process';
import { SAMPLE_RATE } from './opus-codec.js';

/**
 * Synthesizes a demo phrase once at start-up with espeak-ng (resampled by sox to
 * 16 kHz mono). Only for the demo handler's fixed greeting and reply.
 */
export function synthesizeDemoPhrase(text: string, voice = 'en-us', wpm = 165): Int16Array {
  const wav = execFileSync('espeak-ng', ['-v', voice, '-s', String(wpm), '--stdout', text], { maxBuffer: 32 << 20 });
  const raw = execFileSync('sox', ['-t', 'wav', '-', '-t', 'raw', '-r', String(SAMPLE_RATE), '-c', '1', '-e', 'signed', '-b', '16', '-L', '-'], {
    input: wav,
    maxBuffer: 32 << 20,
  });
  return new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength >> 1).slice();
}
