import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAiClient } from '../../src/providers/openai-client.js';
import { OpenAiStt } from '../../src/providers/stt/openai.js';
import { PocketsphinxStt } from '../../src/providers/stt/pocketsphinx.js';
import type { SttProvider } from '../../src/providers/stt/types.js';
import { EspeakTts } from '../../src/providers/tts/espeak.js';
import { PhraseCache } from '../../src/providers/tts/phrase-cache.js';
import type { PipelineConfigInput } from '../../src/pipeline/config.js';
import { startAudioStub, type AudioStub } from '../providers/audio-stub.js';
import { callerSpeech, noise, rig, sleep, waitFor, type Rig, type ScriptedReply } from './harness.js';

const espeak = new EspeakTts({ poolSize: 2 });
const pocketsphinx = new PocketsphinxStt({ poolSize: 1 });
const phrases = new PhraseCache(espeak);
let stub: AudioStub;
let stubStt: OpenAiStt;
const cleanups: Array<() => unknown> = [];

const MEDIUM_REPLY = 'We work from eight to five on weekdays, and we answer emergencies at night.';
const LONG_REPLY =
  'Our technicians work from eight to five on weekdays, and we also answer emergencies at night. A regular visit starts at one hundred dollars, and we always call before we come.';

beforeAll(async () => {
  stub = await startAudioStub();
  stubStt = new OpenAiStt(createOpenAiClient({ apiKey: 'k', baseURL: stub.baseURL }), { model: 'whisper-1' });
  await espeak.ready();
  pocketsphinx.warm([]);
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
  stub.opts.transcription = {};
});
afterAll(async () => {
  await espeak.close();
  await pocketsphinx.close();
  await stub.close();
});

function make(replies: ScriptedReply[], stt: SttProvider = pocketsphinx, config?: PipelineConfigInput, greeting?: string): Rig {
  const r = rig({ stt, tts: espeak, phrases, replies, ...(config ? { config } : {}), ...(greeting ? { greeting: { text: greeting, language: 'en' as const } } : {}) });
  cleanups.push(() => r.close());
  return r;
}

/** Caller asks something and waits until the agent's answer is audible. */
async function askAndWaitForAnswer(r: Rig, question: string, voicedFrames = 30): Promise<void> {
  await r.caller.play(await callerSpeech(espeak, question));
  await r.caller.silence(300);
  await waitFor(() => r.sink.voicedBetween(0) >= voicedFrames && r.pipeline.agentSpeaking, 10_000, 'agent answer');
}

describe('barge-in', () => {
  it('stops the agent at once, cancels the reply and tells the dialog what was heard', async () => {
    const r = make([{ text: LONG_REPLY }, { text: 'Sure, a plumber can come.' }]);
    await askAndWaitForAnswer(r, 'What are your hours?', 40);
    const interruption = await callerSpeech(espeak, 'I need a plumber.');
    let pendingAfterBargeIn = -1;
    await r.caller.play(interruption, {
      onFrame: (i) => {
        if (i === 12) {
          // The native detector would fire here: enough voiced frames while the agent speaks.
          r.pipeline.onBargeIn({ atMs: 0 });
          pendingAfterBargeIn = r.sink.pending();
        }
      },
    });
    await r.caller.silence(400);
    await waitFor(() => r.turns.length >= 2, 10_000, 'the interrupted turn and the new one');
    expect(pendingAfterBargeIn).toBe(0);
    expect(r.sink.flushes[0]!.dropped).toBeGreaterThan(0);
    const first = r.turns[0]!;
    expect(first.outcome).toBe('interrupted');
    expect(r.responder.heard).toHaveLength(1);
    const heard = r.responder.heard[0]!;
    expect(heard.length).toBeGreaterThan(0);
    expect(heard.length).toBeLessThan(LONG_REPLY.length - 20);
    expect(LONG_REPLY.startsWith(heard)).toBe(true);
    expect(first.heardText).toBe(heard);
    expect(r.responder.calls.at(-1)!.text).toMatch(/plumb/);
    expect(r.turns[1]!.outcome).toBe('replied');
  });

  it('cuts the greeting too, and the dialog learns how much of it was heard', async () => {
    const r = make([{ text: 'Sure, a plumber can come.' }], pocketsphinx, undefined, LONG_REPLY);
    void r.pipeline.start();
    await waitFor(() => r.sink.voicedBetween(0) >= 30, 10_000, 'greeting audio');
    await r.caller.play(await callerSpeech(espeak, 'I need a plumber.'), { onFrame: (i) => i === 12 && r.pipeline.onBargeIn({ atMs: 0 }) });
    await r.caller.silence(300);
    await waitFor(() => r.turns.length === 1, 10_000, 'the caller turn');
    const heard = r.responder.heard[0]!;
    expect(heard.length).toBeGreaterThan(0);
    expect(LONG_REPLY.startsWith(heard) && heard.length < LONG_REPLY.length).toBe(true);
    expect(r.responder.calls[0]!.text).toMatch(/plumb/);
  });

  it('does not stop for a backchannel while the agent speaks', async () => {
    const r = make([{ text: MEDIUM_REPLY }]);
    await askAndWaitForAnswer(r, 'What are your hours?', 20);
    await r.caller.play(await callerSpeech(espeak, 'Okay.'));
    await r.caller.silence(300);
    await waitFor(() => r.turns.some((t) => t.outcome === 'replied'), 20_000, 'the reply to finish');
    expect(r.turns.map((t) => t.outcome)).toEqual(['backchannel', 'replied']);
    expect(r.turns[0]!.callerText).toBe('okay');
    expect(r.sink.flushes).toHaveLength(0);
    expect(r.responder.heard).toHaveLength(0);
    expect(r.responder.calls).toHaveLength(1);
  });

  it('resumes after a false interruption (noise, then nothing)', async () => {
    stub.opts.transcription = { text: ['What are your hours?', ''] };
    const r = make([{ text: MEDIUM_REPLY }], stubStt);
    await askAndWaitForAnswer(r, 'What are your hours?', 20);
    const stoppedAt = performance.now();
    await r.caller.play(noise(240), { onFrame: (i) => i === 8 && r.pipeline.onBargeIn({ atMs: 0 }) });
    expect(r.sink.flushes).toHaveLength(1);
    await r.caller.silence(200);
    await waitFor(() => r.turns.some((t) => t.outcome === 'replied'), 20_000, 'the reply to finish');
    expect(r.turns.map((t) => t.outcome)).toEqual(['no_speech', 'replied']);
    expect(r.sink.voicedBetween(stoppedAt + 50)).toBeGreaterThan(20);
    expect(r.responder.heard).toHaveLength(0);
    expect(r.turns[1]!.agentText).toBe(MEDIUM_REPLY);
  });

  it('resumes when the detector fires and the VAD hears nothing within the false-interruption window', async () => {
    stub.opts.transcription = { text: ['What are your hours?'] };
    const r = make([{ text: LONG_REPLY }], stubStt, { falseInterruptionMs: 300 });
    await askAndWaitForAnswer(r, 'What are your hours?');
    r.pipeline.onBargeIn({ atMs: 0 });
    const paused = r.sink.sent.length;
    await sleep(150);
    expect(r.sink.sent.length).toBe(paused);
    await waitFor(() => r.sink.sent.length > paused + 10, 3000, 'resumed audio');
    const resumed = r.metrics.filter((m) => m.type === 'interruption_metrics').map((m) => m.type === 'interruption_metrics' && m.resumed);
    expect(resumed).toEqual([false, true]);
  });
});

describe('two-stage barge-in', () => {
  it('confirms an interruption once the caller outlasts confirmSpeechMs, before the transcript arrives', async () => {
    stub.opts.transcription = { text: ['What are your hours?', 'I need a plumber for a leak in the basement'] };
    const r = make([{ text: LONG_REPLY }, { text: 'Sure, a plumber can come.' }], stubStt, { interruption: { pauseSpeechMs: 60, confirmSpeechMs: 400 } });
    await askAndWaitForAnswer(r, 'What are your hours?', 30);
    // The transcript of the interruption will be slow: only the speech's length can confirm it in time.
    stub.opts.transcription = { text: ['I need a plumber for a leak in the basement'], delayMs: 2500 };
    let interruptedWhileTalking = false;
    await r.caller.play(await callerSpeech(espeak, 'I need a plumber for a leak in the basement.'), {
      onFrame: (i) => {
        if (i === 3) r.pipeline.onBargeIn({ atMs: 0 });
        if (r.turns.some((t) => t.outcome === 'interrupted')) interruptedWhileTalking = true;
      },
    });
    expect(interruptedWhileTalking).toBe(true);
    expect(r.responder.heard).toHaveLength(1);
    await r.caller.silence(300);
    await waitFor(() => r.turns.length >= 2, 10_000, 'the interrupting turn');
    expect(r.responder.calls.at(-1)!.text).toMatch(/plumber/);
  });

  it('resumes at the confirmation check when the detector fired on a sound the VAD never heard', async () => {
    stub.opts.transcription = { text: ['What are your hours?'] };
    const r = make([{ text: LONG_REPLY }], stubStt, { falseInterruptionMs: 20_000, interruption: { pauseSpeechMs: 60, confirmSpeechMs: 300 } });
    await askAndWaitForAnswer(r, 'What are your hours?');
    r.pipeline.onBargeIn({ atMs: 0 });
    const paused = r.sink.sent.length;
    expect(r.sink.pending()).toBe(0);
    // Long before the 20 s false-interruption deadline.
    await waitFor(() => r.sink.sent.length > paused + 10, 5000, 'resumed audio');
    const resumed = r.metrics.flatMap((m) => (m.type === 'interruption_metrics' ? [m.resumed] : []));
    expect(resumed).toEqual([false, true]);
    expect(r.responder.heard).toHaveLength(0);
  });

  it('pauses for a backchannel over the agent, then resumes where it stopped', async () => {
    const r = make([{ text: LONG_REPLY }]);
    await askAndWaitForAnswer(r, 'What are your hours?', 20);
    await r.caller.play(await callerSpeech(espeak, 'Okay.'), { onFrame: (i) => i === 3 && r.pipeline.onBargeIn({ atMs: 0 }) });
    expect(r.sink.flushes).toHaveLength(1);
    await r.caller.silence(300);
    await waitFor(() => r.turns.some((t) => t.outcome === 'replied'), 30_000, 'the reply to finish');
    expect(r.turns.map((t) => t.outcome)).toEqual(['backchannel', 'replied']);
    expect(r.turns[1]!.agentText).toBe(LONG_REPLY);
    expect(r.responder.heard).toHaveLength(0);
    expect(r.responder.calls).toHaveLength(1);
    const resumed = r.metrics.flatMap((m) => (m.type === 'interruption_metrics' ? [m.resumed] : []));
    expect(resumed).toEqual([false, true]);
  });
});

describe('speculative generation', () => {
  it('is discarded when the caller goes on after a pause', async () => {
    stub.opts.transcription = { text: ['my furnace', 'my furnace stopped working'] };
    const r = make([{ text: 'I see.' }], stubStt, { budgets: { endOfTurnMs: 1500 } });
    await r.caller.play(await callerSpeech(espeak, 'My furnace'));
    await r.caller.silence(700);
    await waitFor(() => r.responder.calls.length === 1, 2000, 'speculative reply');
    await r.caller.play(await callerSpeech(espeak, 'stopped working.'));
    await r.caller.silence(300);
    await waitFor(() => r.turns.length === 1, 10_000, 'turn record');
    expect(r.responder.calls.map((c) => [c.text, c.aborted])).toEqual([
      ['my furnace', true],
      ['my furnace stopped working', false],
    ]);
    expect(r.turns[0]!.speculationsDiscarded).toBe(1);
    expect(r.turns[0]!.callerText).toBe('my furnace stopped working');
    // The second transcription covered the whole utterance, pause included.
    const [a, b] = stub.opts.log.transcriptions.slice(-2);
    expect(b!.audio.length).toBeGreaterThan(a!.audio.length);
  });

  it('waits less after a complete answer to a yes/no question than after a dangling sentence', async () => {
    stub.opts.transcription = { text: ['yes', 'and then the'] };
    const r = make([{ text: 'Is the water shut off?' }, { text: 'Okay.' }], stubStt, undefined, 'Is the water shut off?');
    await r.pipeline.start();
    await r.caller.play(await callerSpeech(espeak, 'Yes.'));
    await r.caller.silence(300);
    await r.caller.play(await callerSpeech(espeak, 'And then the'));
    await r.caller.silence(300);
    await waitFor(() => r.metrics.filter((m) => m.type === 'eou_metrics').length === 2, 5000, 'two end-of-turn decisions');
    const eou = r.metrics.flatMap((m) => (m.type === 'eou_metrics' ? [[m.reason, m.waitMs]] : []));
    expect(eou).toEqual([
      ['quick', 200],
      ['incomplete', 1500],
    ]);
  });

  it('follows what the dialog says it expects: digits in groups are not cut off', async () => {
    stub.opts.transcription = { text: ['my furnace stopped working', 'five one four', 'five one four five five five zero one two three'] };
    const r = make([{ text: 'Got it. Where can we reach you?', expecting: 'number' }, { text: 'Thanks.' }], stubStt);
    await r.caller.play(await callerSpeech(espeak, 'My furnace stopped working.'));
    await r.caller.silence(300);
    await waitFor(() => r.turns.length === 1, 10_000, 'first reply');
    await r.caller.play(await callerSpeech(espeak, '5 1 4'));
    await r.caller.silence(500);
    await r.caller.play(await callerSpeech(espeak, '5 5 5 0 1 2 3.'));
    await r.caller.silence(300);
    await waitFor(() => r.turns.length === 2, 10_000, 'second reply');
    const eou = r.metrics.flatMap((m) => (m.type === 'eou_metrics' ? [m.reason] : []));
    expect(eou).toEqual(['default', 'incomplete', 'quick']);
    expect(r.turns[1]!.speculationsDiscarded).toBe(1);
    expect(r.responder.calls.at(-1)!.text).toBe('five one four five five five zero one two three');
  });
});
