import { chromium, type BrowserContext } from 'playwright-core';

/** Flags that keep Debian's headless Chromium off the (closed) network and quiet. */
const BASE_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/**
 * Debian's Chromium with a fresh profile in `profileDir`. With `fakeMicWav` the page's
 * microphone is that WAV file (looped), permission is granted and audio autoplays.
 */
export function launchChromium(profileDir: string, o: { fakeMicWav?: string } = {}): Promise<BrowserContext> {
  const media = o.fakeMicWav
    ? ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${o.fakeMicWav}`, '--autoplay-policy=no-user-gesture-required']
    : [];
  return chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    headless: false,
    args: [...BASE_ARGS, ...media],
  });
}
