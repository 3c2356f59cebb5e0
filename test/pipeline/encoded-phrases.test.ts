/**
 * Cached phrases leave pre-encoded: the phrase cache Opus-encodes a phrase once with the
 * media layer's encoder port (the pacer's settings), the pipeline queues each frame with its
 * packet, and the pacer sends the packet as is. A counting encoder shows the pacer encodes
 * nothing for them; the real libopus decoder shows the packets carry the phrase's audio.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { CallTransport } from '../../src/media/call-transport.js';
import { AGENT_VOICE_OPUS, OpusDecoder16k, OpusEncoder16k, phraseEncoders } from '../../src/media/opus-codec.js';
import { AgentAudioQueue, OutboundPacer } from '../../src/media/pacer.js';
import { CallPipeline } from '../../src/pipeline/call-pipeline.js';
import { resolvePipelineConfig } from '../../src/pipeline/config.js';
import { rms } from '../../src/providers/audio/pcm.js';
import { PocketsphinxStt } from '../../src/providers/stt/pocketsphinx.js';
import { EspeakTts } from '../../src/providers/tts/espeak.js';
import { PhraseCache } from '../../src/providers/tts/phrase-cache.js';
import { ScriptedResponder } from './harness.js';

const GREETING = 'Thanks for calling Lakeside Plumbing, how can I help?';
const espeak = new EspeakTts({ poolSize: 1 });
const stt = new PocketsphinxStt({ poolSize: 1 });
afterAll(async () => {
  await espeak.close();
  await stt.close();
});

class CountingEncoder extends OpusEncoder16k {
  calls = 0;
  override encode(frame: Int16Array): Buffer {
    this.calls++;
    return super.encode(frame);
  }
}

/** A pacer on a fast clock whose transport keeps every packet. */
function wire(): { pacer: OutboundPacer; encoder: CountingEncoder; sent: Buffer[]; stop(): void } {
  const sent: Buffer[] = [];
  const transport: CallTransport = {
    kind: 'rtp',
    onPacket: undefined,
    onClose: undefined,
    send: (payload) => sent.push(Buffer.from(payload)),
    close: () => undefined,
  };
  const encoder = new CountingEncoder(AGENT_VOICE_OPUS);
  const pacer = new OutboundPacer(new AgentAudioQueue(), encoder, transport, () => undefined, 0);
  let tick = 0;
  const timer = setInterval(() => pacer.tick(++tick), 2);
  return { pacer, encoder, sent, stop: () => clearInterval(timer) };
}

const stops: Array<() => unknown> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});

async function playGreeting(phrases: PhraseCache): Promise<ReturnType<typeof wire>> {
  const w = wire();
  const pipeline = new CallPipeline({
    tenantId: 'lakeside',
    responder: new ScriptedResponder({ text: GREETING, language: 'en' }, []),
    stt,
    tts: espeak,
    sink: w.pacer,
    phrases,
    config: resolvePipelineConfig({}),
  });
  stops.push(() => pipeline.close(), () => w.stop());
  await pipeline.start();
  return w;
}

/** Per-frame level in dB, for comparing a decoded stream with its source. */
const levels = (frames: readonly Int16Array[]): number[] => frames.map((f) => 20 * Math.log10(rms(f) + 1));

function correlation(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  const ma = a.slice(0, n).reduce((s, v) => s + v, 0) / n;
  const mb = b.slice(0, n).reduce((s, v) => s + v, 0) / n;
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < n; i++) {
    ab += (a[i]! - ma) * (b[i]! - mb);
    aa += (a[i]! - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('cached phrases sent pre-encoded', () => {
  it('sends the greeting from its cached Opus packets without calling the encoder, and a decoder hears the phrase', async () => {
    const phrases = new PhraseCache(espeak, { encoders: phraseEncoders(AGENT_VOICE_OPUS) });
    const phrase = await phrases.get('lakeside', 'en', GREETING);
    const w = await playGreeting(phrases);

    expect(w.encoder.calls).toBe(0);
    expect(w.pacer.preEncodedFrames).toBe(phrase.pcm.length);
    expect(w.sent).toHaveLength(phrase.pcm.length);
    // The packets on the wire are the cached ones, byte for byte.
    const cached = phrase.encoded[w.pacer.encodedFormat]!;
    expect(w.sent.map((p) => p.toString('hex'))).toEqual(cached.map((p) => Buffer.from(p).toString('hex')));

    const decoder = new OpusDecoder16k();
    const decoded = w.sent.map((p) => decoder.decode(p)!);
    expect(decoded.every((f) => f !== undefined && f.length === 320)).toBe(true);
    // Same loudness contour as the phrase (speech and pauses in the same places), at a similar level.
    expect(correlation(levels(decoded), levels(phrase.pcm))).toBeGreaterThan(0.9);
    const loud = (frames: readonly Int16Array[]) => frames.filter((f) => rms(f) > 300).length;
    expect(Math.abs(loud(decoded) - loud(phrase.pcm))).toBeLessThanOrEqual(Math.ceil(phrase.pcm.length * 0.1));
  });

  it('encodes in the pacer when the cached packets were made with other encoder settings', async () => {
    const phrases = new PhraseCache(espeak, { encoders: phraseEncoders({ ...AGENT_VOICE_OPUS, bitrate: 12_000 }) });
    const phrase = await phrases.get('lakeside', 'en', GREETING);
    const w = await playGreeting(phrases);

    expect(w.pacer.preEncodedFrames).toBe(0);
    expect(w.encoder.calls).toBe(phrase.pcm.length);
    expect(w.sent).toHaveLength(phrase.pcm.length);
  });

  it('keeps a packet only with a whole frame on a frame boundary, so a packet always holds its frame\'s audio', () => {
    const q = new AgentAudioQueue();
    const frame = new Int16Array(320).fill(1000);
    const packet = new Uint8Array([1, 2, 3]);
    q.push(frame, packet);
    q.push(new Int16Array(100));
    // Misaligned now: this frame's audio straddles two queued frames, so its packet cannot be sent.
    q.push(frame, packet);
    const sent: Array<Uint8Array | undefined> = [];
    while (q.shift()) sent.push(q.lastPacket);
    expect(sent).toEqual([packet, undefined, undefined]);
    q.push(frame, new Uint8Array([9]));
    q.clear();
    expect(q.shift()).toBeUndefined();
    expect(q.lastPacket).toBeUndefined();
  });
});
