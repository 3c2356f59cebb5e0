import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebRtcCaller } from '../../bench/clients/webrtc-caller.js';
import type { ScriptedResponse } from '../../bench/openai-stub/chat.js';
import { startOpenAIStub, type OpenAIStub } from '../../bench/openai-stub/server.js';
import { agentDoneSpeaking, callerSpeech, endedOf, wall } from './support/caller-speech.js';
import { ORIGIN, startVoiceGateway, type VoiceGateway } from './support/voice-gateway.js';

const GOODBYE = 'Thank you for calling. Goodbye.';

/** The dialog ends the call (the LLM's end_call tool): the goodbye plays out, then the gateway hangs up. */
describe('agent ends the call', () => {
  let stub: OpenAIStub;
  let gw: VoiceGateway;
  beforeAll(async () => {
    stub = await startOpenAIStub({
      chat: {
        // First round: the model calls end_call; after the tool result it says goodbye.
        script: (req): ScriptedResponse =>
          req.messages.at(-1)?.role === 'tool' ? { content: GOODBYE } : { toolCalls: [{ name: 'end_call', arguments: {} }] },
      },
      audio: { transcription: { text: "That's all, thanks." }, speech: { msPerChar: 30 } },
    });
    gw = await startVoiceGateway({ env: { OPENAI_API_KEY: 'sk-test-not-a-real-key', OPENAI_BASE_URL: stub.baseURL } });
  });
  afterAll(async () => {
    await gw?.close();
    await stub?.close();
  });

  it('plays the goodbye, hangs up with agent_end and stores the summary', async () => {
    const caller = await WebRtcCaller.place({ gateway: gw.base, tenant: 'lakeside', origin: ORIGIN });
    try {
      await agentDoneSpeaking(caller, 0);
      const since = wall();
      caller.say(callerSpeech("That's all, thanks."));
      const ended = await caller.waitFor(
        () => caller.messages.find((m) => m.type === 'state' && m.state === 'ended'),
        20_000,
        'call ended by the agent',
      );
      expect(ended).toMatchObject({ reason: 'agent_end' });
      expect(caller.messages.some((m) => m.type === 'transcript' && m.role === 'agent' && m.text === GOODBYE)).toBe(true);
      // The goodbye reached the caller before the hang-up: 30 ms per character of stub speech.
      const goodbye = caller.loudFramesSince(since);
      expect(goodbye.length * 20).toBeGreaterThan(GOODBYE.length * 30 * 0.8);
      const summary = await gw.waitTrace((t) => endedOf(t, caller.callId), 10_000, 'summary');
      expect(summary.endReason).toBe('agent_end');
      const record = gw.store.getCall(caller.callId);
      expect(record?.summary?.outcome).not.toBe('abandoned');
      expect(record?.turns.map((t) => t.speaker)).toEqual(['agent', 'caller', 'agent']);
      expect(record?.turns[2]?.text).toBe(GOODBYE);
    } finally {
      await caller.close();
    }
  }, 60_000);
});
