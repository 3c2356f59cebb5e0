import { speak } from '../../../test/support/espeak.js';
import { normalizeActive, whiteNoise, withGaps } from '../../../test/support/noise.js';
import { BargeInDetector, FrameVad } from '../../../src/media/native-vad.js';
import { SILERO_CHUNK, SileroBatcher, UPSTREAM_SILERO_MODEL } from '../../../src/media/silero-vad.js';
import type { StageBench, StageResult } from '../stage.js';

/**
 * VAD stages: the native frame VAD + barge-in per 20 ms frame per call (calls interleaved,
 * 200 ms of frames per call per native crossing, so per-call state competes for cache as in
 * the media engine); Silero v5 batched per 32 ms chunk per call at batch 1, 64 and 256 (the
 * shipped 16 kHz graph, and the upstream graph at 256 for reference); and
 * how much of a realistic call the native gate keeps away from Silero.
 */

const RATE = 16000;
const FRAME = 320;
const BLOCK_FRAMES = 10;

/** A caller's side of a call: utterances between pauses over line noise (-60 dBFS). */
function callerAudio(): Int16Array {
  const lines = [
    'Hi, my furnace is making a loud banging noise.',
    'It started last night, around ten.',
    'Yes, the unit is about twelve years old.',
    'Tomorrow morning works. My address is forty two Elm Street.',
  ];
  const speech = normalizeActive(withGaps(lines.map((l) => speak(l, 'en', RATE)), [1500, 3500, 4000, 3000], RATE, 2500), RATE, -22);
  const noise = whiteNoise(speech.length, 5);
  return Int16Array.from(speech, (v, i) => Math.max(-32768, Math.min(32767, v + Math.round(noise[i]! * 33))));
}

function agentAudio(length: number): Int16Array {
  const pcm = normalizeActive(speak('Thanks for calling. I can send a technician tomorrow between eight and ten.', 'en-us', RATE), RATE, -18);
  const out = new Int16Array(length);
  for (let at = 0; at < length; at += pcm.length) out.set(pcm.subarray(0, Math.min(pcm.length, length - at)), at);
  return out;
}

function nativeStage(calls: number, caller: Int16Array, agent: Int16Array, echoDelaySearchMs = 0): StageResult {
  const vads = Array.from({ length: calls }, () => new FrameVad({ sampleRate: RATE }));
  const dets = Array.from({ length: calls }, () => new BargeInDetector({ sampleRate: RATE, echoDelaySearchMs }));
  dets.forEach((d) => d.setAgentSpeaking(true));
  const blockSamples = BLOCK_FRAMES * FRAME;
  const prob = new Float32Array(BLOCK_FRAMES);
  const speech = new Uint8Array(BLOCK_FRAMES);
  const blocks = Math.floor(caller.length / blockSamples);
  const targetFrames = Math.max(20000, calls * 50);
  let frames = 0;
  const t0 = process.cpuUsage();
  for (let b = 0; frames < targetFrames; b = (b + 1) % blocks) {
    const c = caller.subarray(b * blockSamples, (b + 1) * blockSamples);
    const a = agent.subarray(b * blockSamples, (b + 1) * blockSamples);
    for (let i = 0; i < calls; i++) {
      vads[i]!.processFrames(c, FRAME, prob, speech);
      dets[i]!.processFrames(prob, c, a, FRAME, b * BLOCK_FRAMES * 20);
    }
    frames += calls * BLOCK_FRAMES;
  }
  const used = process.cpuUsage(t0);
  return {
    stage: echoDelaySearchMs > 0 ? `native vad + barge-in, echo delay search ${echoDelaySearchMs} ms` : 'native vad + barge-in',
    calls,
    usPerUnit: (used.user + used.system) / frames,
    unit: '20 ms frame',
    targetUs: 10,
    note: `${BLOCK_FRAMES} frames per call per native crossing`,
  };
}

/** `upstream` measures the graph as vad-web ships it (sr `If`, Conv front end) instead of the shipped 16 kHz GEMM graph. */
async function sileroStage(batch: number, caller: Int16Array, upstream = false): Promise<StageResult> {
  const silero = await SileroBatcher.create({ gateProbability: 0, ...(upstream ? { modelPath: UPSTREAM_SILERO_MODEL } : {}) });
  for (let i = 0; i < batch; i++) silero.addCall(`c${i}`);
  const chunks = Math.floor(caller.length / SILERO_CHUNK);
  const runs = Math.max(20, Math.ceil(4000 / batch));
  // Different calls read different places of the audio, as real calls would.
  const offsets = Array.from({ length: batch }, (_, i) => (i * 7) % chunks);
  const feed = (r: number): void => {
    for (let i = 0; i < batch; i++) {
      const k = (offsets[i]! + r) % chunks;
      silero.pushFrame(`c${i}`, caller.subarray(k * SILERO_CHUNK, (k + 1) * SILERO_CHUNK), 1);
    }
  };
  feed(0);
  await silero.run(); // warm-up: first run allocates the input scratch and plans the graph
  const t0 = process.cpuUsage();
  const w0 = performance.now();
  for (let r = 1; r <= runs; r++) {
    feed(r);
    await silero.run();
  }
  const used = process.cpuUsage(t0);
  const wallUs = (performance.now() - w0) * 1000;
  await silero.close();
  return {
    stage: upstream ? 'silero v5 batched, upstream graph (reference)' : 'silero v5 batched',
    calls: batch,
    usPerUnit: (used.user + used.system) / (runs * batch),
    unit: '32 ms chunk',
    ...(batch >= 256 && !upstream ? { targetUs: 45 } : {}),
    note: `${upstream ? 'models/silero_vad_v5.onnx as shipped by vad-web' : 'models/silero_vad_v5_16k.onnx (scripts/silero-16k.ts)'}; CPU time, 1 intra-op thread; wall ${(wallUs / (runs * batch)).toFixed(1)} us`,
  };
}

async function gatingStage(caller: Int16Array, sileroAt256: number): Promise<StageResult> {
  const silero = await SileroBatcher.create();
  silero.addCall('a');
  const vad = new FrameVad({ sampleRate: RATE });
  let chunks = 0;
  for (let f = 0; f + FRAME <= caller.length; f += FRAME) {
    const frame = caller.subarray(f, f + FRAME);
    silero.pushFrame('a', frame, vad.process(frame).probability);
    while (silero.hasWork()) chunks += (await silero.run()).length;
  }
  const gated = silero.stats.chunksGated / Math.max(1, chunks);
  await silero.close();
  return {
    stage: 'silero gated by native vad',
    calls: 256,
    usPerUnit: sileroAt256 * (1 - gated),
    unit: '32 ms chunk',
    targetUs: 45,
    note: `gating rate ${(gated * 100).toFixed(1)} % of chunks on a talk/pause mix (${((caller.length / RATE) | 0)} s, caller speaking about 40 %)`,
  };
}

const bench: StageBench = async (callCounts) => {
  const caller = callerAudio();
  const agent = agentAudio(caller.length);
  const results: StageResult[] = callCounts.map((n) => nativeStage(n, caller, agent));
  results.push(nativeStage(Math.max(...callCounts), caller, agent, 400));
  let at256 = 0;
  for (const batch of [1, 64, 256]) {
    const r = await sileroStage(batch, caller);
    if (batch === 256) at256 = r.usPerUnit;
    results.push(r);
  }
  results.push(await sileroStage(256, caller, true));
  results.push(await gatingStage(caller, at256));
  return results;
};

export default bench;
