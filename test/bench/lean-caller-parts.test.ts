import { describe, expect, it } from 'vitest';
import { CallerClock, type PacedSender } from '../../bench/clients/caller-clock.js';
import { encodeSilencePacket, encodeUtterance, PreEncodedAudio, SENT_SPEECH_DBFS } from '../../bench/clients/opus-frames.js';
import { isSpeechPacket, opusPacketTenthsMs, SPEECH_BYTES_PER_20MS } from '../../bench/clients/opus-speech-classifier.js';
import { FRAME_SAMPLES, OpusDecoder16k } from '../../src/media/opus-codec.js';
import { EnergyTurnDetector } from '../../src/media/webrtc-energy-detector.js';
import { synthesizeDemoPhrase } from '../../src/media/webrtc-demo-voice.js';

/** A packet of `length` bytes whose TOC byte is (config, code), RFC 6716 §3.1. */
const packet = (config: number, code: number, length: number, second = 0): Uint8Array => {
  const p = new Uint8Array(length);
  p[0] = (config << 3) | code;
  if (length > 1) p[1] = second;
  return p;
};

describe('Opus speech classifier (TOC and size)', () => {
  it('reads the packet duration from the TOC configuration and frame-count code', () => {
    expect(opusPacketTenthsMs(packet(9, 0, 30))).toBe(200); // SILK WB 20 ms
    expect(opusPacketTenthsMs(packet(10, 0, 30))).toBe(400); // SILK WB 40 ms
    expect(opusPacketTenthsMs(packet(9, 1, 30))).toBe(400); // two equal frames
    expect(opusPacketTenthsMs(packet(9, 2, 30))).toBe(400); // two frames, different sizes
    expect(opusPacketTenthsMs(packet(9, 3, 30, 3))).toBe(600); // code 3, three frames
    expect(opusPacketTenthsMs(packet(16, 0, 30))).toBe(25); // CELT NB 2.5 ms
    expect(opusPacketTenthsMs(packet(15, 0, 30))).toBe(200); // hybrid FB 20 ms
    expect(opusPacketTenthsMs(packet(9, 3, 1))).toBe(0); // code 3 without its count byte
    expect(opusPacketTenthsMs(new Uint8Array(0))).toBe(0);
  });

  it('calls speech a packet at or above the speech bit rate, whatever its duration', () => {
    expect(isSpeechPacket(packet(9, 0, SPEECH_BYTES_PER_20MS))).toBe(true);
    expect(isSpeechPacket(packet(9, 0, SPEECH_BYTES_PER_20MS - 1))).toBe(false);
    expect(isSpeechPacket(packet(10, 0, 2 * SPEECH_BYTES_PER_20MS - 1))).toBe(false);
    expect(isSpeechPacket(packet(10, 0, 2 * SPEECH_BYTES_PER_20MS))).toBe(true);
    expect(isSpeechPacket(packet(9, 3, 3 * SPEECH_BYTES_PER_20MS, 3))).toBe(true);
    expect(isSpeechPacket(packet(9, 3, 3 * SPEECH_BYTES_PER_20MS - 1, 3))).toBe(false);
    expect(isSpeechPacket(packet(31, 0, SPEECH_BYTES_PER_20MS))).toBe(true);
  });

  it('calls silence an empty or DTX packet and one whose duration is unknown', () => {
    expect(isSpeechPacket(new Uint8Array(0))).toBe(false);
    expect(isSpeechPacket(packet(9, 0, 2))).toBe(false);
    expect(isSpeechPacket(packet(9, 3, 40, 0))).toBe(false); // zero frames
  });
});

describe('pre-encoded caller audio', () => {
  const pcm = synthesizeDemoPhrase('There is water leaking under the kitchen sink.', 'en-us');

  it('encodes an utterance once into 20 ms frames whose speech flags follow the PCM level', () => {
    const u = encodeUtterance(pcm);
    expect(u.frames).toHaveLength(Math.ceil(pcm.length / FRAME_SAMPLES));
    let speech = 0;
    for (let k = 0; k < u.frames.length; k++) {
      const frame = new Int16Array(FRAME_SAMPLES);
      frame.set(pcm.subarray(k * FRAME_SAMPLES, Math.min(pcm.length, (k + 1) * FRAME_SAMPLES)));
      expect(u.speech[k]).toBe(EnergyTurnDetector.levelDbfs(frame) > SENT_SPEECH_DBFS ? 1 : 0);
      speech += u.speech[k] as number;
    }
    expect(speech).toBeGreaterThan(u.frames.length / 3);
    // Decoded in order, the frames flagged as speech are loud again (the codec keeps the level).
    const dec = new OpusDecoder16k();
    let loud = 0;
    for (let k = 0; k < u.frames.length; k++) {
      const out = dec.decode(u.frames[k] as Buffer);
      expect(out?.length).toBe(FRAME_SAMPLES);
      if (u.speech[k] && EnergyTurnDetector.levelDbfs(out as Int16Array) > SENT_SPEECH_DBFS) loud++;
    }
    expect(loud).toBeGreaterThan(0.9 * speech);
  });

  it('shares one encoding per PCM array, and the silence packet decodes to silence and is not speech', () => {
    const audio = new PreEncodedAudio();
    expect(audio.utterance(pcm)).toBe(audio.utterance(pcm));
    expect(audio.utterance(pcm.slice())).not.toBe(audio.utterance(pcm));
    const silence = encodeSilencePacket();
    expect(isSpeechPacket(silence)).toBe(false);
    const out = new OpusDecoder16k().decode(silence);
    expect(EnergyTurnDetector.levelDbfs(out as Int16Array)).toBeLessThan(-80);
  });
});

describe('caller clock', () => {
  it('runs one timer for all callers, spreads them over phases of the 20 ms period, each sending every 20 ms, and stops with the last one', async () => {
    const clock = new CallerClock();
    const seen: number[][] = [[], []];
    const frames: number[][] = [[], []];
    const senders: PacedSender[] = seen.map((list, i) => ({
      onSlot: (now: number, frame: number) => {
        list.push(now);
        frames[i]!.push(frame);
      },
    }));
    clock.add(senders[0] as PacedSender);
    clock.add(senders[1] as PacedSender);
    expect(clock.size).toBe(2);
    while ((seen[1]?.length ?? 0) < 12) await new Promise((r) => setTimeout(r, 20));
    clock.remove(senders[1] as PacedSender);
    const after = seen[1]?.length ?? 0;
    while ((seen[0]?.length ?? 0) < after + 3) await new Promise((r) => setTimeout(r, 20));
    // Each caller sends once per 20 ms (ticks are on the clock's schedule, so the mean interval is exact up to re-anchoring).
    for (const list of [seen[0]!.slice(0, after), seen[1]!]) {
      expect(list).toEqual([...list].sort((a, b) => a - b));
      const mean = (list.at(-1)! - list[0]!) / (list.length - 1);
      expect(mean).toBeGreaterThan(18);
      expect(mean).toBeLessThan(40);
    }
    // Frame numbers are consecutive for each caller: a stall is caught up, not skipped (RTP time stays on real time).
    for (const f of frames) expect(f).toEqual(f.map((_, k) => (f[0] as number) + k));
    // The second caller is on the next phase: its slots fall between the first caller's, not with them.
    const shared = seen[1]!.filter((t) => seen[0]!.includes(t));
    expect(shared).toHaveLength(0);
    clock.remove(senders[0] as PacedSender);
    expect(clock.size).toBe(0);
    const ticks = clock.stats.ticks;
    await new Promise((r) => setTimeout(r, 100));
    expect(clock.stats.ticks).toBe(ticks);
  });
});
