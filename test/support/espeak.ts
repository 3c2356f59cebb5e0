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

/** Writes 16-bit mono PCM as a WAV file (for Chromium's fake microphone and similar). */
export function wavBytes(pcm: Int16Array, rate: number): Buffer {
  const data = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}
