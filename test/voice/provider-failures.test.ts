import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebRtcCaller } from '../../bench/clients/webrtc-caller.js';
import type { AudioStubOptions } from '../../bench/openai-stub/audio.js';
import type { ScriptedResponse } from '../../bench/openai-stub/chat.js';
import { startOpenAIStub, type OpenAIStub } from '../../bench/openai-stub/server.js';
import type { TurnRecord } from '../../src/pipeline/index.js';
import { agentDoneSpeaking, callerSpeech, endedOf, turnsOf, wall } from './support/caller-speech.js';
import { ORIGIN, startVoiceGateway, type VoiceGateway } from './support/voice-gateway.js';

/**
 * Issue 5's failure injection, mid-call, through real WebRTC calls: the
 * OpenAI-compatible STT, LLM and TTS (pointed at the local stub) each fail or
 * stall on one turn. The call goes on (fallback provider, rules engine, filler)
 * and its record is complete.
 */
describe('provider failures mid-call (OpenAI-compatible providers on the local stub)', () => {
  let stub: OpenAIStub;
  let gw: VoiceGateway;
  let chat: 'ok' | 'http500' | 'stall' = 'ok';
  /** The stub transcribes each utterance as the text the caller was given to say. */
  let lastSaid = '';
  const audio: AudioStubOptions = {
    transcription: { text: () => lastSaid },
    speech: { msPerChar: 30 },
    counts: { transcriptions: 0, speech: 0 },
  };

  beforeAll(async () => {
    stub = await startOpenAIStub({
      chat: {
        script: (): ScriptedResponse =>
          chat === 'ok' ? { content: 'Sure, I can help with that. What is your name?' } : { failure: chat },
      },
      audio,
    });
    gw = await startVoiceGateway({
      env: { OPENAI_API_KEY: 'sk-test-not-a-real-key', OPENAI_BASE_URL: stub.baseURL },
      extra: { llmFirstTokenTimeoutMs: 2000, llmStallTimeoutMs: 2000 },
    });
  });
  afterAll(async () => {
    await gw?.close();
    await stub?.close();
  });

  it('keeps the call going through STT, LLM and TTS failures and stores a complete record', async () => {
    const caller = await WebRtcCaller.place({ gateway: gw.base, tenant: 'demo', origin: ORIGIN });
    try {
      await caller.waitFor(() => caller.messages.some((m) => m.type === 'transcript' && m.role === 'agent'), 20_000, 'greeting');
      await agentDoneSpeaking(caller, 0);
      const replies = (): TurnRecord[] => turnsOf(gw.traces, caller.callId).filter((r) => r.outcome === 'replied');

      /** One caller turn; resolves with its turn record once the agent's answer has played. */
      const turn = async (text: string): Promise<TurnRecord> => {
        const n = replies().length;
        const since = wall();
        lastSaid = text;
        caller.say(callerSpeech(text));
        const r = await gw.waitTrace(() => replies()[n], 30_000, `reply to "${text}"`).catch((err: unknown) => {
          console.log(JSON.stringify(turnsOf(gw.traces, caller.callId).map((t) => [t.turnId, t.outcome, t.callerText, t.sttProvider, t.budgetsExceeded])));
          throw err;
        });
        await agentDoneSpeaking(caller, since, 30_000);
        expect(caller.loudFramesSince(since).length).toBeGreaterThan(10);
        return r;
      };

      // 1. The LLM answers HTTP 500: the rules engine answers the turn.
      chat = 'http500';
      const t1 = await turn('I need a plumber.');
      expect(t1.callerText).toBe('I need a plumber.');
      expect(t1.agentText.length).toBeGreaterThan(0);

      // 2. The LLM works again but the speech API fails: espeak-ng speaks the reply instead.
      chat = 'ok';
      const speechBefore = audio.counts!.speech;
      audio.speech!.fail = { status: 500, times: 1 };
      const t2 = await turn('My name is Jane Smith.');
      expect(audio.counts!.speech).toBeGreaterThan(speechBefore);
      expect(audio.speech!.fail.times).toBe(0);
      expect(t2.agentText).toBe('Sure, I can help with that. What is your name?');

      // 3. The LLM stalls (headers, then nothing): a filler covers the wait, then the rules engine answers.
      chat = 'stall';
      const t3 = await turn('My number is 514 555 0199.');
      expect(t3.fillerPlayed).toBe(true);
      expect(t3.budgetsExceeded).toContain('llm');
      expect(t3.agentText.length).toBeGreaterThan(0);

      // 4. Transcription stalls: after its budget the offline recognizer hears the caller's audio.
      chat = 'http500';
      audio.transcription!.fail = { stall: true, times: 1 };
      // (A phrase the offline grammar covers: the emergency script answers it.)
      const t4 = await turn('My basement is flooding.');
      expect(t4.sttProvider).toBe('pocketsphinx');
      expect(t4.budgetsExceeded).toContain('stt');
      expect(t4.callerText).toMatch(/basement|flood/);

      caller.hangup();
      const ended = await gw.waitTrace((t) => endedOf(t, caller.callId), 10_000, 'call summary');
      expect(ended.endReason).toBe('caller_hangup');
      // The record is complete: greeting, four caller turns each answered, the summary stored.
      const record = gw.store.getCall(caller.callId);
      const turns = record?.turns ?? [];
      expect(turns.map((t) => t.speaker)).toEqual(['agent', 'caller', 'agent', 'caller', 'agent', 'caller', 'agent', 'caller', 'agent']);
      expect(turns.filter((t) => t.speaker === 'agent').every((t) => t.text.length > 0)).toBe(true);
      // Which engine answered each turn: rules after the LLM's failures, the LLM when it worked.
      expect(turns.filter((t) => t.speaker === 'agent').slice(1).map((t) => t.engine)).toEqual(['rules', 'llm', 'rules', 'rules']);
      expect(record?.summary?.caller.phone).toBeTruthy();
      expect(record?.summary?.transcript.length).toBe(9);
      expect(record?.endedAt).toBeTruthy();
    } finally {
      await caller.close();
    }
  }, 150_000);
});
