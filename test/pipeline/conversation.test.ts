import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineConfigInput } from '../../src/pipeline/config.js';
import { EspeakTts } from '../../src/providers/tts/espeak.js';
import { PhraseCache } from '../../src/providers/tts/phrase-cache.js';
import { PocketsphinxStt } from '../../src/providers/stt/pocketsphinx.js';
import { callerSpeech, rig, waitFor, type Rig, type ScriptedReply } from './harness.js';

const espeak = new EspeakTts({ poolSize: 2 });
const pocketsphinx = new PocketsphinxStt({ poolSize: 1 });
const phrases = new PhraseCache(espeak);
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  await espeak.ready();
  pocketsphinx.warm([]);
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
afterAll(async () => {
  await espeak.close();
  await pocketsphinx.close();
});

function make(replies: ScriptedReply[], opts: { config?: PipelineConfigInput; greeting?: string } = {}): Rig {
  const r = rig({
    stt: pocketsphinx, tts: espeak, phrases, replies,
    ...(opts.config ? { config: opts.config } : {}),
    ...(opts.greeting ? { greeting: { text: opts.greeting, language: 'en' as const } } : {}),
  });
  cleanups.push(() => r.close());
  return r;
}

describe('a conversation on the offline providers', () => {
  it('greets, hears "my furnace stopped working", answers, and records the turn', async () => {
    const r = make([{ text: 'I am sorry to hear that. Is the house getting cold?' }], { greeting: 'Thanks for calling, how can I help?' });
    await r.pipeline.start();
    const greetingFrames = r.sink.voicedBetween(0);
    expect(greetingFrames).toBeGreaterThan(40);
    await waitFor(() => !r.pipeline.agentSpeaking, 8000, 'greeting to finish');
    const before = performance.now();
    await r.caller.play(await callerSpeech(espeak, 'My furnace stopped working.'));
    await r.caller.silence(400);
    await waitFor(() => r.turns.length === 1, 10_000, 'turn record');
    const turn = r.turns[0]!;
    expect(r.responder.calls.at(-1)!.text).toContain('furnace');
    expect(turn.outcome).toBe('replied');
    expect(turn.callerText).toContain('stopped working');
    expect(turn.agentText).toBe('I am sorry to hear that. Is the house getting cold?');
    expect(r.sink.voicedBetween(before)).toBeGreaterThan(50);
    // Every stage was timed, in order.
    for (const k of ['endOfUtteranceDelayMs', 'transcriptionDelayMs', 'llmTtftMs', 'ttsTtfbMs', 'endToEndMs'] as const) expect(turn[k]).not.toBeNull();
    expect(turn.at.endOfTurn!).toBeGreaterThanOrEqual(turn.at.sttFinal!);
    expect(turn.at.firstFrameOut!).toBeGreaterThanOrEqual(turn.at.endOfTurn!);
    expect(turn.sttProvider).toBe('pocketsphinx');
    const finalAt = r.transcripts.findIndex((t) => t.kind === 'final');
    const tr = r.transcripts[finalAt]!;
    expect(tr).toMatchObject({ turnId: 1, kind: 'final', language: 'en', provider: 'pocketsphinx' });
    // Partial transcripts came first, while the caller spoke: the words so far, on the same turn.
    const partials = r.transcripts.slice(0, finalAt);
    expect(partials.length).toBeGreaterThanOrEqual(2);
    expect(partials.every((p) => p.kind === 'partial' && p.turnId === 1 && p.startMs === tr.startMs && p.text.length > 0)).toBe(true);
    for (let i = 1; i < partials.length; i++) expect(partials[i]!.endMs).toBeGreaterThan(partials[i - 1]!.endMs);
    expect(partials[0]!.endMs).toBeLessThan(tr.endMs);
    expect(tr.text).toBe(turn.callerText);
    // The span covers the spoken words (about 1.5 s of espeak-ng speech) on the media clock.
    expect(tr.endMs - tr.startMs).toBeGreaterThan(1000);
    const types = new Set(r.metrics.map((m) => m.type));
    expect(types).toEqual(new Set(['stt_metrics', 'eou_metrics', 'llm_metrics', 'tts_metrics']));
  });

  it('plays a cached filler when the dialog is slow, then the answer', async () => {
    const r = make([{ text: 'Your technician can come tomorrow morning.', firstTokenDelayMs: 1500 }], { config: { budgets: { llmFirstTokenMs: 300 } } });
    await r.caller.play(await callerSpeech(espeak, 'Can someone come today?'));
    await r.caller.silence(400);
    await waitFor(() => r.turns.length === 1, 10_000, 'turn record');
    const t = r.turns[0]!;
    expect(t.fillerPlayed).toBe(true);
    expect(t.budgetsExceeded).toContain('llm');
    expect(t.at.fillerOut!).toBeLessThan(t.at.firstFrameOut!);
    const filler = await phrases.get('demo', 'en', 'Okay, one moment.');
    // Filler frames plus the answer's frames all left.
    expect(r.sink.sent.length).toBeGreaterThan(filler.pcm.length + 40);
  });
});
