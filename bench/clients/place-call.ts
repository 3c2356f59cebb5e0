import { parseArgs } from 'node:util';
import { synthesizeDemoPhrase } from '../../src/media/webrtc-demo-voice.js';
import { WebRtcCaller } from './webrtc-caller.js';

/**
 * Places WebRTC calls with the werift caller and prints per-call figures as JSON lines:
 *   node --import tsx bench/clients/place-call.ts --gateway http://127.0.0.1:8080 --tenant demo --calls 2
 * Each caller waits for the greeting to finish, says one utterance, and measures the
 * turn gap (last speech frame sent → first loud agent frame received).
 */
const { values } = parseArgs({
  options: {
    gateway: { type: 'string', default: 'http://127.0.0.1:8080' },
    tenant: { type: 'string', default: 'demo' },
    origin: { type: 'string' },
    calls: { type: 'string', default: '1' },
    say: { type: 'string', default: 'My furnace stopped working this morning.' },
  },
});
const gateway = values.gateway;
const origin = values.origin ?? gateway;
const calls = Number(values.calls);
if (!Number.isInteger(calls) || calls < 1) throw new Error('--calls must be a positive integer');
const utterance = synthesizeDemoPhrase(values.say);
const now = (): number => performance.timeOrigin + performance.now();

async function one(): Promise<Record<string, unknown>> {
  const started = now();
  const caller = await WebRtcCaller.place({ gateway, tenant: values.tenant, origin });
  try {
    await caller.waitFor(() => caller.loudFramesSince(0).length > 0, 20_000, 'greeting');
    const setupMs = (caller.received.find((f) => f.dbfs > -50)?.at ?? now()) - started;
    await caller.waitFor(() => {
      const last = caller.received.at(-1);
      return last && now() - last.at > 400;
    }, 30_000, 'greeting end');
    caller.say(utterance);
    await caller.waitFor(() => caller.lastSpeechSent > 0 && caller.loudFramesSince(caller.lastSpeechSent + 1).length > 0, 30_000, 'reply');
    const firstReply = caller.loudFramesSince(caller.lastSpeechSent + 1)[0]?.at ?? now();
    caller.hangup();
    return { callId: caller.callId, ok: true, setupMs: Math.round(setupMs), turnGapMs: Math.round(firstReply - caller.lastSpeechSent) };
  } catch (err) {
    return { callId: caller.callId, ok: false, error: String(err) };
  } finally {
    await caller.close();
  }
}

const results = await Promise.all(Array.from({ length: calls }, () => one()));
for (const r of results) console.log(JSON.stringify(r));
process.exit(results.every((r) => r.ok) ? 0 : 1);
