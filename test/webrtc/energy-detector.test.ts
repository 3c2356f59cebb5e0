import { describe, expect, it } from 'vitest';
import { EnergyTurnDetector } from '../../src/media/webrtc-energy-detector.js';
import { speak } from '../support/espeak.js';

function feed(det: EnergyTurnDetector, pcm: Int16Array, t0: number) {
  const events = [];
  for (let i = 0; i + 320 <= pcm.length; i += 320) {
    const ev = det.push(pcm.subarray(i, i + 320), t0 + (i / 320 + 1) * 20);
    if (ev) events.push(ev);
  }
  return events;
}

describe('energy turn detector', () => {
  it('finds speech start and end of turn in espeak speech surrounded by silence', () => {
    const speech = speak('My kitchen sink is leaking.', 'en-us');
    const pcm = new Int16Array(16000 + speech.length + 16000);
    pcm.set(speech, 16000);
    const events = feed(new EnergyTurnDetector({ endOfTurnSilenceMs: 500 }), pcm, 0);
    expect(events.map((e) => e.type)).toEqual(['speech_start', 'end_of_turn']);
    const start = events[0]?.at as number;
    expect(start).toBeGreaterThanOrEqual(950);
    expect(start).toBeLessThan(1300);
    const end = events[1];
    if (end?.type !== 'end_of_turn') throw new Error('no end of turn');
    const speechEndMs = 1000 + (speech.length / 16000) * 1000;
    expect(end.speechEnd).toBeLessThanOrEqual(speechEndMs + 20);
    expect(end.speechEnd).toBeGreaterThan(speechEndMs - 400);
    expect(end.at - end.speechEnd).toBeGreaterThanOrEqual(500);
  });

  it('ignores a click shorter than the minimum speech time and silence', () => {
    const pcm = new Int16Array(32000);
    for (let i = 16000; i < 16000 + 320; i++) pcm[i] = 20000;
    expect(feed(new EnergyTurnDetector(), pcm, 0)).toEqual([]);
  });
});
