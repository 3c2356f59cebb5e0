import { beforeAll, describe, expect, it } from 'vitest';
import { speak } from '../support/espeak.js';
import { normalizeActive, seededRandom, speechActivity, whiteNoise } from '../support/noise.js';
import { BargeInDetector, type BargeInConfig, FrameVad } from '../../src/media/native-vad.js';

/**
 * Barge-in on a simulated call at 16 kHz, 20 ms frames. The agent talks for the whole
 * scenario; the caller's microphone hears the agent's echo (its audio 20 dB down, 30 ms
 * late) over line noise, plus whatever the caller does.
 */

const RATE = 16000;
const FRAME = 320;
const FRAME_MS = 20;
const ECHO_DELAY = (RATE * 30) / 1000;
const ECHO_GAIN = 10 ** (-20 / 20);
// A tenant's setting, as jambonz uses: 250 ms of caller voice interrupts.
const CONFIG: BargeInConfig = { sampleRate: RATE, minSpeechMs: 250 };

interface Trigger {
  atMs: number;
  speechStartMs: number;
}

function mix(into: Float32Array, add: ArrayLike<number>, at: number, gain = 1): void {
  for (let i = 0; i < add.length && at + i < into.length; i++) into[at + i]! += add[i]! * gain;
}

function toInt16(x: Float32Array): Int16Array {
  return Int16Array.from(x, (v) => Math.max(-32768, Math.min(32767, Math.round(v))));
}

/** Runs the call: returns every barge-in the detector reports. */
function runCall(agent: Int16Array, caller: Int16Array, config: BargeInConfig = CONFIG, agentSpeaking = true): Trigger[] {
  const vad = new FrameVad({ sampleRate: RATE });
  const det = new BargeInDetector(config);
  det.setAgentSpeaking(agentSpeaking);
  const triggers: Trigger[] = [];
  const frames = Math.floor(Math.min(agent.length, caller.length) / FRAME);
  for (let f = 0; f < frames; f++) {
    det.noteAgentFrame(agent.subarray(f * FRAME, (f + 1) * FRAME));
    const frame = caller.subarray(f * FRAME, (f + 1) * FRAME);
    const r = det.process(vad.process(frame), frame, f * FRAME_MS);
    if (r.triggered) triggers.push({ atMs: r.atMs, speechStartMs: r.speechStartMs });
  }
  return triggers;
}

/** The caller's microphone: agent echo + line noise + the caller's own sounds at sample offsets. */
function microphone(agent: Int16Array, sounds: { pcm: ArrayLike<number>; at: number }[], seed = 3): Int16Array {
  const mic = new Float32Array(agent.length);
  mix(mic, agent, ECHO_DELAY, ECHO_GAIN);
  const noise = whiteNoise(agent.length, seed);
  mix(mic, noise, 0, 32768 * 10 ** (-65 / 20));
  for (const s of sounds) mix(mic, s.pcm, s.at);
  return toInt16(mic);
}

/** A cough: 100 ms of noise with a sharp attack and decay, loud. */
function cough(seed: number): Float32Array {
  const n = (RATE * 100) / 1000;
  const noise = whiteNoise(n, seed);
  const out = new Float32Array(n);
  let lp = 0;
  for (let i = 0; i < n; i++) {
    lp += 0.35 * (noise[i]! - lp); // a little low-pass: coughs are breathy, not hiss
    const env = Math.min(1, i / 80) * Math.exp(-i / (n / 3));
    out[i] = 12000 * lp * env;
  }
  return out;
}

/** A door slam: an impulse ringing down over about 150 ms. */
function doorSlam(seed: number): Float32Array {
  const n = (RATE * 150) / 1000;
  const rand = seededRandom(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 20000 * (rand() * 2 - 1) * Math.exp(-i / 600) + 8000 * Math.sin((2 * Math.PI * 90 * i) / RATE) * Math.exp(-i / 1200);
  return out;
}

describe('barge-in detector', () => {
  let agent: Int16Array;
  let interruption: Int16Array;
  let quietFrench: Int16Array;
  let backchannel: Int16Array;
  let yeah: Int16Array;
  beforeAll(() => {
    const agentSpeech = speak(
      'Thanks for calling Ace Heating. I can book a technician for tomorrow morning between eight and ten, or Thursday afternoon. Which works better for you?',
      'en-us',
      RATE,
    );
    agent = new Int16Array(agentSpeech.length + RATE);
    agent.set(normalizeActive(agentSpeech, RATE, -18), RATE / 2);
    interruption = normalizeActive(speak('No, wait, I need someone today.', 'en', RATE), RATE, -20);
    // A softer caller: 16 dB above the echo's active level (-38 dBFS). At 14 dB and below the
    // detector can be late or miss it: the expected echo holds the agent's peaks.
    quietFrench = normalizeActive(speak('Non, attendez, c est urgent.', 'fr', RATE), RATE, -22);
    // Quick backchannels (their voiced part is under 250 ms).
    backchannel = normalizeActive(speak('mm-hmm', 'en', RATE, 260), RATE, -22);
    yeah = normalizeActive(speak('yeah', 'en', RATE, 200), RATE, -22);
    expect(agent.length).toBeGreaterThan(RATE * 7); // room for every sound placed below
  });

  it('never triggers on the agent echo alone', () => {
    expect(runCall(agent, microphone(agent, []))).toEqual([]);
    // Nor with a louder echo path than assumed, as long as the margin covers it (14 dB ERL vs 20 - 6).
    const loud = new Float32Array(agent.length);
    mix(loud, agent, ECHO_DELAY, 10 ** (-15 / 20));
    expect(runCall(agent, toInt16(loud))).toEqual([]);
    // Control: the echo model is what holds it back. Assume a 40 dB return loss and it fires.
    expect(runCall(agent, microphone(agent, []), { ...CONFIG, echoReturnLossDb: 40 }).length).toBeGreaterThan(0);
  });

  it('triggers on caller speech over the echo within minSpeechMs plus one frame of its onset', () => {
    const delays: number[] = [];
    for (const [startMs, pcm] of [[1500, interruption], [2300, quietFrench], [4100, interruption], [5300, quietFrench]] as const) {
      const at = (RATE * startMs) / 1000;
      const mic = microphone(agent, [{ pcm, at }]);
      const truth = speechActivity(pcm, RATE, FRAME_MS, 30, 0);
      const onsetMs = startMs + truth.indexOf(1) * FRAME_MS;
      const triggers = runCall(agent, mic);
      expect(triggers.length, `start ${startMs}`).toBe(1);
      const t = triggers[0]!;
      expect(t.atMs).toBeGreaterThanOrEqual(onsetMs);
      expect(t.atMs - onsetMs, `start ${startMs}`).toBeLessThanOrEqual(CONFIG.minSpeechMs! + FRAME_MS);
      expect(t.speechStartMs).toBeLessThanOrEqual(t.atMs);
      delays.push(t.atMs - onsetMs);
      // The batch entry point decides the same.
      const vad = new FrameVad({ sampleRate: RATE });
      const frames = Math.floor(mic.length / FRAME);
      const prob = new Float32Array(frames);
      vad.processFrames(mic, FRAME, prob, new Uint8Array(frames));
      const det = new BargeInDetector(CONFIG);
      det.setAgentSpeaking(true);
      expect(det.processFrames(prob, mic.subarray(0, frames * FRAME), agent, FRAME, 0)).toEqual([t.atMs]);
    }
    console.log(`interruption detection delay after speech onset (ms): ${delays.join(', ')}`);
  });

  it('ignores a cough, a door slam and short backchannels', () => {
    const sounds = [
      { pcm: cough(11), at: RATE * 1.2 },
      { pcm: doorSlam(12), at: RATE * 2.6 },
      { pcm: backchannel, at: RATE * 4 },
      { pcm: cough(13), at: RATE * 5.5 },
      { pcm: yeah, at: RATE * 6.5 },
    ];
    expect(runCall(agent, microphone(agent, sounds))).toEqual([]);
    // Control: it is their duration that excludes them. The backchannel is voice, and with a
    // 60 ms minimum it interrupts.
    const short = runCall(agent, microphone(agent, [{ pcm: backchannel, at: RATE * 4 }]), { ...CONFIG, minSpeechMs: 60 });
    expect(short.length).toBe(1);
  });

  it('stays quiet while the agent is silent and re-arms on the next agent turn', () => {
    const mic = microphone(agent, [{ pcm: interruption, at: RATE * 2 }]);
    expect(runCall(agent, mic, CONFIG, false)).toEqual([]);
    const vad = new FrameVad({ sampleRate: RATE });
    const det = new BargeInDetector(CONFIG);
    let fired = 0;
    for (const turn of [0, 1]) {
      det.setAgentSpeaking(true);
      for (let f = 0; f < Math.floor(mic.length / FRAME); f++) {
        det.noteAgentFrame(agent.subarray(f * FRAME, (f + 1) * FRAME));
        const frame = mic.subarray(f * FRAME, (f + 1) * FRAME);
        if (det.process(vad.process(frame), frame, turn * 1e5 + f * FRAME_MS).triggered) fired++;
      }
      det.setAgentSpeaking(false);
    }
    expect(fired).toBe(2);
  });

  it('with echo delay search, handles an echo that returns 250 ms late (a SIP round trip)', () => {
    const delay = (RATE * 250) / 1000;
    const lateEcho = (sounds: { pcm: Int16Array; at: number }[]): Int16Array => {
      const mic = new Float32Array(agent.length);
      mix(mic, agent, delay, ECHO_GAIN);
      mix(mic, whiteNoise(agent.length, 4), 0, 32768 * 10 ** (-65 / 20));
      for (const snd of sounds) mix(mic, snd.pcm, snd.at);
      return toInt16(mic);
    };
    const searching: BargeInConfig = { ...CONFIG, echoDelaySearchMs: 400 };
    // Control: with the default 60 ms window the late echo interrupts the agent.
    expect(runCall(agent, lateEcho([])).length).toBeGreaterThan(0);
    expect(runCall(agent, lateEcho([]), searching)).toEqual([]);
    // The estimate settles on the true delay.
    const det = new BargeInDetector(searching);
    const vad = new FrameVad({ sampleRate: RATE });
    det.setAgentSpeaking(true);
    const mic = lateEcho([]);
    for (let f = 0; f < 150; f++) {
      det.noteAgentFrame(agent.subarray(f * FRAME, (f + 1) * FRAME));
      const frame = mic.subarray(f * FRAME, (f + 1) * FRAME);
      det.process(vad.process(frame), frame, f * FRAME_MS);
    }
    expect(Math.abs(det.estimatedEchoDelayMs - 250)).toBeLessThanOrEqual(40);
    // Caller speech over the late echo still interrupts, a little later at worst.
    for (const startMs of [2300, 4100, 5300]) {
      const triggers = runCall(agent, lateEcho([{ pcm: interruption, at: (RATE * startMs) / 1000 }]), searching);
      const onsetMs = startMs + speechActivity(interruption, RATE, FRAME_MS, 30, 0).indexOf(1) * FRAME_MS;
      expect(triggers.length, `start ${startMs}`).toBe(1);
      expect(triggers[0]!.atMs - onsetMs, `start ${startMs}`).toBeGreaterThanOrEqual(0);
      expect(triggers[0]!.atMs - onsetMs, `start ${startMs}`).toBeLessThanOrEqual(CONFIG.minSpeechMs! + 3 * FRAME_MS);
    }
  });

  it('works the same at 8 kHz (narrowband SIP calls)', () => {
    const rate = 8000;
    const frame = 160;
    const agent8 = new Int16Array(rate * 4);
    agent8.set(normalizeActive(speak('Your technician will arrive between eight and ten tomorrow morning.', 'en', rate), rate, -18).subarray(0, rate * 4));
    const caller8 = normalizeActive(speak('Wait, that is too late for me.', 'en', rate), rate, -20);
    const run = (withCaller: boolean): { triggers: number[]; onsetMs: number } => {
      const mic = new Float32Array(agent8.length);
      mix(mic, agent8, (rate * 30) / 1000, ECHO_GAIN);
      const at = rate * 1;
      if (withCaller) mix(mic, caller8, at);
      const pcm = toInt16(mic);
      const vad = new FrameVad({ sampleRate: rate });
      const det = new BargeInDetector({ ...CONFIG, sampleRate: rate });
      det.setAgentSpeaking(true);
      const triggers: number[] = [];
      for (let f = 0; (f + 1) * frame <= pcm.length; f++) {
        det.noteAgentFrame(agent8.subarray(f * frame, (f + 1) * frame));
        const fr = pcm.subarray(f * frame, (f + 1) * frame);
        const r = det.process(vad.process(fr), fr, f * FRAME_MS);
        if (r.triggered) triggers.push(r.atMs);
      }
      return { triggers, onsetMs: 1000 + speechActivity(caller8, rate, FRAME_MS, 30, 0).indexOf(1) * FRAME_MS };
    };
    expect(run(false).triggers).toEqual([]);
    const { triggers, onsetMs } = run(true);
    expect(triggers.length).toBe(1);
    expect(triggers[0]! - onsetMs).toBeGreaterThanOrEqual(0);
    expect(triggers[0]! - onsetMs).toBeLessThanOrEqual(CONFIG.minSpeechMs! + FRAME_MS);
  });

  it('survives random arguments: every call returns or throws a TypeError/RangeError', () => {
    const rand = seededRandom(7);
    const makers: (() => unknown)[] = [
      () => new Int16Array(Math.floor(rand() * 700)).map(() => Math.floor(rand() * 65536) - 32768),
      () => new Float32Array(Math.floor(rand() * 40)).map(() => rand()),
      () => ({ probability: rand() * 2 - 0.5, energyDb: rand() * -100 }),
      () => ({ minSpeechMs: rand() * 6000 - 500, sampleRate: [8000, 16000, 0][Math.floor(rand() * 3)] }),
      () => Math.floor(rand() * 1000) - 100,
      () => rand() < 0.5,
      () => Number.NaN,
      () => undefined,
      () => null,
      () => 'x',
    ];
    const pick = (): unknown => makers[Math.floor(rand() * makers.length)]!();
    const methods = ['setAgentSpeaking', 'noteAgentFrame', 'process', 'processFrames', 'reset'] as const;
    let returned = 0;
    for (let i = 0; i < 2000; i++) {
      try {
        const det = new BargeInDetector(pick() as BargeInConfig);
        const method = methods[Math.floor(rand() * methods.length)]!;
        (det[method] as (...a: unknown[]) => unknown).call(det, pick(), pick(), pick(), pick(), pick());
        returned++;
      } catch (err) {
        expect(err instanceof TypeError || err instanceof RangeError, String(err)).toBe(true);
      }
    }
    expect(returned).toBeGreaterThan(0);
  });

  it('refuses bad configs and inputs with clean errors', () => {
    expect(() => new BargeInDetector({ minSpeechMs: -1 })).toThrow(RangeError);
    expect(() => new BargeInDetector({ sampleRate: 44100 })).toThrow(RangeError);
    expect(() => new BargeInDetector({ echoTailMs: Number.NaN })).toThrow(RangeError);
    expect(() => new BargeInDetector({ echoDelaySearchMs: 700 })).toThrow(RangeError);
    expect(() => new BargeInDetector({ minSpeechMs: 'x' as unknown as number })).toThrow(TypeError);
    const det = new BargeInDetector();
    expect(() => det.noteAgentFrame(new Int16Array(0))).toThrow(RangeError);
    expect(() => det.noteAgentFrame(new Int16Array(10000))).toThrow(RangeError);
    expect(() => det.noteAgentFrame(new Float32Array(320) as unknown as Int16Array)).toThrow(TypeError);
    expect(() => det.process({ probability: 'a' as unknown as number }, new Int16Array(320), 0)).toThrow(TypeError);
    expect(() => det.process({ probability: 0.5 }, new Int16Array(320), Number.NaN)).toThrow(TypeError);
    expect(() => det.setAgentSpeaking(1 as unknown as boolean)).toThrow(TypeError);
    expect(() => det.processFrames(new Float32Array(2), new Int16Array(640), new Int16Array(320), 320, 0)).toThrow(RangeError);
    expect(() => det.processFrames(new Float32Array(1), new Int16Array(320), new Int16Array(320), 481, 0)).toThrow(RangeError);
    expect(() => det.processFrames(new Float32Array(1), new Int16Array(320), new Int16Array(320), 320, Number.NaN)).toThrow(RangeError);
    expect(() => det.processFrames([0.5] as unknown as Float32Array, new Int16Array(320), new Int16Array(320), 320, 0)).toThrow(TypeError);
  });
});
