import { synthesizeDemoPhrase } from '../media/webrtc-demo-voice.js';
import type { DemoHandlerOptions } from '../media/webrtc-demo-handler.js';

const GREETING = 'Thanks for calling. This is the firstring demo line. How can I help?';
const REPLY = 'Thank you. A dispatcher will call you back shortly. Goodbye for now.';

/**
 * The demo call handler for the worker pool, until the speech pipeline replaces it:
 * its module URL and espeak-ng phrases synthesized once at start-up.
 */
export function demoCallHandler(): { module: URL; options: DemoHandlerOptions } {
  const module = new URL(import.meta.url.endsWith('.ts') ? '../media/webrtc-demo-handler.ts' : '../media/webrtc-demo-handler.js', import.meta.url);
  return {
    module,
    options: {
      greeting: { text: GREETING, pcm: synthesizeDemoPhrase(GREETING) },
      reply: { text: REPLY, pcm: synthesizeDemoPhrase(REPLY) },
    },
  };
}
