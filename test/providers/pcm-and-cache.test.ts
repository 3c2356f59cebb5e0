import { afterAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { concatPcm, Framer, S16leReader, StreamingResampler } from '../../src/providers/audio/pcm.js';
import { EspeakTts } from '../../src/providers/tts/espeak.js';
import { PhraseCache, phraseKeyString } from '../../src/providers/tts/phrase-cache.js';
import { registerPipelineMetrics } from '../../src/pipeline/prometheus.js';
import { pipelinePhrases } from '../../src/pipeline/call-pipeline.js';
import { deriveTurnFigures, type TurnRecord } from '../../src/pipeline/metrics.js';

const espeak = new EspeakTts({ poolSize: 1 });
afterAll(() => espeak.close());

function sine(n: number, rate: number, hz: number): Int16Array {
  return Int16Array.from({ length: n }, (_, i) => Math.round(10000 * Math.sin((2 * Math.PI * hz * i) / rate)));
}

describe('PCM helpers', () => {
  it('resamples 24 kHz to 16 kHz the same whether fed whole or in odd chunks', () => {
    const input = sine(24000, 24000, 440);
    const whole = new StreamingResampler(24000, 16000).push(input);
    const rs = new StreamingResampler(24000, 16000);
    const parts: Int16Array[] = [];
    for (let i = 0; i < input.length; i += 997) parts.push(rs.push(input.subarray(i, i + 997)));
    const chunked = concatPcm(parts);
    expect(Math.abs(whole.length - 16000)).toBeLessThanOrEqual(1);
    expect(chunked).toEqual(whole);
    // Still a 440 Hz tone: count zero crossings over one second.
    let crossings = 0;
    for (let i = 1; i < whole.length; i++) if ((whole[i - 1]! < 0) !== (whole[i]! < 0)) crossings++;
    expect(Math.abs(crossings - 880)).toBeLessThanOrEqual(4);
  });

  it('refuses nonsense rates', () => {
    expect(() => new StreamingResampler(0, 16000)).toThrow(/bad resample rates/);
  });

  it('frames samples into 320-sample frames and pads the tail with silence', () => {
    const f = new Framer();
    const ramp = Int16Array.from({ length: 700 }, (_, i) => i + 1);
    const frames = f.push(ramp);
    expect(frames).toHaveLength(2);
    const last = f.end()!;
    expect(last).toHaveLength(320);
    expect([...last.subarray(0, 60)]).toEqual([...ramp.subarray(640)]);
    expect(last.subarray(60).every((x) => x === 0)).toBe(true);
    expect(f.end()).toBeUndefined();
    // Frames come from one slab, and later pushes never change a frame already handed out.
    expect(frames[1]!.buffer).toBe(frames[0]!.buffer);
    f.push(new Int16Array(2000).fill(-7));
    expect(frames[0]![0]).toBe(1);
    expect(frames[1]![319]).toBe(640);
    expect(last[59]).toBe(700);
  });

  it('carries an odd byte of s16le across chunks', () => {
    const bytes = Buffer.from(Int16Array.from([1, -2, 300]).buffer);
    const r = new S16leReader();
    expect(concatPcm([r.push(bytes.subarray(0, 3)), r.push(bytes.subarray(3))])).toEqual(Int16Array.from([1, -2, 300]));
  });
});

describe('phrase cache', () => {
  it('keeps ready-to-send frames per tenant and voice, synthesizing each phrase once', async () => {
    const encoded: number[] = [];
    const cache = new PhraseCache(espeak, { encoders: { test: (pcm) => { encoded.push(pcm.length); return pcm.map((f) => new Uint8Array([f.length & 0xff])); } } });
    const [a, b] = await Promise.all([cache.get('demo', 'en', 'Okay, one moment.'), cache.get('demo', 'en', 'Okay, one moment.')]);
    expect(a).toBe(b);
    expect(encoded).toHaveLength(1);
    expect(a.pcm.every((f) => f.length === 320)).toBe(true);
    expect(a.encoded.test).toHaveLength(a.pcm.length);
    expect(a.durationMs).toBe(a.pcm.length * 20);
    expect(a.key).toMatchObject({ tenantId: 'demo', ttsId: 'espeak', voice: 'en-us+f2', language: 'en' });
    const fr = await cache.get('demo', 'fr', "D'accord, un instant.");
    expect(fr.key.voice).toBe('fr+f2');
    await cache.warm('other', [{ language: 'en', text: 'Okay, one moment.' }]);
    expect(cache.size).toBe(3);
    expect(await cache.peek('demo', 'en', 'Okay,  one moment.')).toBe(a);
    expect(await cache.peek('demo', 'en', 'never said')).toBeUndefined();
    expect(phraseKeyString(a.key)).not.toBe(phraseKeyString({ ...a.key, tenantId: 'other' }));
  });

  it('lists the phrases a call may need for warming, per language', () => {
    const list = pipelinePhrases(['en', 'fr']);
    expect(list).toHaveLength(6);
    expect(list).toContainEqual({ language: 'fr', text: "D'accord, un instant." });
    expect(list).toContainEqual({ language: 'en', text: 'Okay, one moment.' });
  });
});

describe('Prometheus figures', () => {
  it('records a turn into histograms with the familiar names', async () => {
    const registry = new Registry();
    const m = registerPipelineMetrics(registry);
    const at = { speechEnd: 0, sttFinal: 120, endOfTurn: 500, llmStart: 130, llmFirstToken: 400, ttsFirstAudio: 450, firstFrameOut: 505 };
    const record: TurnRecord = {
      turnId: 1, callerText: 'hi', language: 'en', agentText: 'hello', outcome: 'replied', at, ...deriveTurnFigures(at),
      speculationsDiscarded: 1, fillerPlayed: false, budgetsExceeded: ['llm'], sttProvider: 'pocketsphinx',
    };
    m.observeTurn(record);
    m.observeMetric({ type: 'llm_metrics', turnId: 1, ttftMs: 270, durationMs: 600, cancelled: false });
    const text = await registry.metrics();
    expect(text).toContain('firstring_end_to_end_ms_sum 505');
    expect(text).toContain('firstring_transcription_delay_ms_count{provider="pocketsphinx"} 1');
    expect(text).toContain('firstring_llm_ttft_ms_sum 270');
    expect(text).toContain('firstring_budget_exceeded_total{stage="llm"} 1');
    expect(text).toContain('firstring_speculations_discarded_total 1');
  });
});
