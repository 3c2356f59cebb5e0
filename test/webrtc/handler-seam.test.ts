import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebRtcCaller } from '../../bench/clients/webrtc-caller.js';
import { speak } from '../support/espeak.js';
import { startMediaGateway, type MediaGateway } from './support/media-gateway.js';

/** The worker pool runs whatever handler module it is given; the native engine's VAD reaches it. */
describe('call handler seam with the native jitter engine', () => {
  let gw: MediaGateway;
  beforeAll(async () => {
    gw = await startMediaGateway({ workers: 1 }, 'demo=self,https://acme-plumbing.example', new URL('./support/vad-probe-handler.ts', import.meta.url));
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('delivers 20 ms caller frames and VAD onset then offset around the caller speech', async () => {
    const caller = await WebRtcCaller.place({ gateway: gw.base, tenant: 'demo', origin: 'https://acme-plumbing.example' });
    try {
      await caller.waitFor(() => caller.messages.some((m) => m.type === 'transcript' && m.text === 'probe ready'), 15_000, 'probe ready');
      await new Promise((r) => setTimeout(r, 600));
      caller.say(speak('Hello, my water heater is leaking.', 'en-us'));
      const vad = (): string[] => caller.messages.flatMap((m) => (m.type === 'transcript' && m.text.startsWith('vad:') ? [m.text] : []));
      await caller.waitFor(() => vad().some((t) => t.startsWith('vad:offset')), 15_000, 'VAD offset');
      const events = vad().map((t) => t.split(':'));
      expect(events[0]?.[1]).toBe('onset');
      const onsetFrame = Number(events[0]?.[2]);
      const offset = events.find((e) => e[1] === 'offset');
      // Frames kept flowing at 20 ms between onset and offset (speech of about 2 s).
      expect(Number(offset?.[2]) - onsetFrame).toBeGreaterThan(40);
      expect(events.some((e) => e[1] === 'barge_in')).toBe(false);
    } finally {
      caller.hangup();
      await caller.close();
    }
  });
});
