import { describe, expect, it } from 'vitest';
import { SENT_SPEECH_DBFS } from '../../bench/clients/opus-frames.js';
import { AgentSpeechDetector, isSpeechPacket } from '../../bench/clients/opus-speech-classifier.js';
import { AGENT_VOICE_OPUS, FRAME_SAMPLES, OpusDecoder16k, OpusEncoder16k } from '../../src/media/opus-codec.js';
import { EnergyTurnDetector } from '../../src/media/webrtc-energy-detector.js';
import { speak } from '../support/espeak.js';

/** Real espeak-ng speech, then faint noise (about -80 dBFS, not digital silence), in 20 ms frames. */
function speechThenFaint(): Int16Array[] {
  const pcm = speak('A technician can come tomorrow morning.', 'en');
  const frames: Int16Array[] = [];
  for (let k = 0; (k + 1) * FRAME_SAMPLES <= pcm.length; k++) frames.push(pcm.slice(k * FRAME_SAMPLES, (k + 1) * FRAME_SAMPLES));
  let seed = 7;
  for (let n = 0; n < 40; n++) {
    const f = new Int16Array(FRAME_SAMPLES);
    for (let i = 0; i < f.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      f[i] = (seed >>> 16) % 7 - 3;
    }
    frames.push(f);
  }
  return frames;
}

describe('agent speech detector (size for SILK, decoded level for CELT)', () => {
  it('judges the gateway agent voice (CELT 32 kb/s) by decoded level, where size says speech for faint frames', () => {
    const enc = new OpusEncoder16k(AGENT_VOICE_OPUS);
    const packets = speechThenFaint().map((f) => Buffer.from(enc.encode(f)));
    expect((packets[0]?.[0] as number) >> 3).toBeGreaterThanOrEqual(16); // CELT-only TOC

    const detector = new AgentSpeechDetector();
    const reference = new OpusDecoder16k();
    let faintBySize = 0;
    let speech = 0;
    for (const p of packets) {
      const level = EnergyTurnDetector.levelDbfs(reference.decode(p) as Int16Array);
      const verdict = detector.isSpeech(p);
      expect(verdict, `${p.length}-byte packet at ${level.toFixed(1)} dBFS`).toBe(level > SENT_SPEECH_DBFS);
      if (verdict) speech++;
      if (level < -70 && isSpeechPacket(p)) faintBySize++;
    }
    expect(detector.decoding).toBe(true);
    expect(speech).toBeGreaterThan(20);
    // The size rule alone would have called these faint CELT frames speech.
    expect(faintBySize).toBeGreaterThan(0);
  });

  it('keeps the size rule, without decoding, for a SILK stream', () => {
    const enc = new OpusEncoder16k({ bitrate: 24_000, complexity: 1 });
    const packets = speechThenFaint().map((f) => Buffer.from(enc.encode(f)));
    expect((packets[0]?.[0] as number) >> 3).toBeLessThan(16);
    const detector = new AgentSpeechDetector();
    for (const p of packets) expect(detector.isSpeech(p)).toBe(isSpeechPacket(p));
    expect(detector.decoding).toBe(false);
  });
});
