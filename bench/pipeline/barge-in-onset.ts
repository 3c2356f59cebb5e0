/**
 * Why a barge-in can be caught late in `npm run bench:pipeline`: the bench caller's "Wait, how much will
 * that cost?" (espeak-ng, Opus round trip) over the stub TTS's voice-like signal, through the native FrameVad and
 * BargeInDetector at the defaults (20 dB return loss, 6 dB margin), frame by frame, then the detection time
 * for several minSpeechMs and agent levels. No call, no timing: the detector's decisions only.
 *
 * node --import tsx bench/pipeline/barge-in-onset.ts
 */
import { speak } from '../../test/support/espeak.js';
import { stubVoiceSample } from '../openai-stub/audio.js';
import { BargeInDetector, FrameVad } from '../../src/media/native-vad.js';
import { OpusDecoder16k, OpusEncoder16k } from '../../src/media/opus-codec.js';
import { EnergyTurnDetector } from '../../src/media/webrtc-energy-detector.js';

const FRAME = 320;
const level = (f: Int16Array): number => EnergyTurnDetector.levelDbfs(f);

/** The caller's frames as the gateway decodes them, from the first voiced one (as bench/pipeline/run.ts sends). */
function callerFrames(): Int16Array[] {
  let pcm = speak('Wait, how much will that cost?', 'en-us');
  for (let i = 0; i + FRAME <= pcm.length; i += FRAME) {
    if (level(pcm.subarray(i, i + FRAME)) > -50) {
      pcm = pcm.slice(i);
      break;
    }
  }
  const enc = new OpusEncoder16k({ complexity: 3 });
  const dec = new OpusDecoder16k();
  const out: Int16Array[] = [];
  for (let i = 0; i < pcm.length; i += FRAME) {
    const f = new Int16Array(FRAME);
    f.set(pcm.subarray(i, Math.min(i + FRAME, pcm.length)));
    out.push(Int16Array.from(dec.decode(enc.encode(f)) ?? f));
  }
  return out;
}

/** Frame `n` of the stub TTS's voice (bench/openai-stub/audio.ts: about -20 dBFS RMS), `gainDb` relative. */
function agentFrame(n: number, gainDb: number): Int16Array {
  const g = 10 ** (gainDb / 20);
  return Int16Array.from({ length: FRAME }, (_, i) => Math.round(32767 * g * stubVoiceSample((n * FRAME + i) / 16_000)));
}

function run(caller: Int16Array[], minSpeechMs: number, gainDb: number, log = false): string {
  const vad = new FrameVad({ sampleRate: 16_000 });
  const det = new BargeInDetector({ sampleRate: 16_000, minSpeechMs });
  const silence = new Int16Array(FRAME);
  for (let k = 0; k < 20; k++) {
    det.noteAgentFrame(agentFrame(k, gainDb));
    vad.process(silence);
  }
  det.setAgentSpeaking(true);
  for (let f = 0; f < caller.length; f++) {
    det.noteAgentFrame(agentFrame(20 + f, gainDb));
    const v = vad.process(caller[f]!);
    const r = det.process(v, caller[f]!, f * 20);
    const counts = v.probability >= 0.5 && v.energyDb > det.expectedEchoDb + 6;
    if (log && f < 16) console.log(`  ${String(f * 20).padStart(4)} ms  caller ${level(caller[f]!).toFixed(1).padStart(6)} dBFS  expected echo ${det.expectedEchoDb.toFixed(1)}  ${counts ? 'counts' : '-'}`);
    if (r.triggered) return `${f * 20 + 20} ms after the onset (voice run from ${r.speechStartMs} ms)`;
  }
  return 'not on this utterance';
}

const caller = callerFrames();
console.log('Frames of "Wait," over the stub voice (voice counts above expected echo + 6 dB):');
run(caller, 5000, 0, true);
for (const gainDb of [0, -6, -10]) {
  for (const ms of [60, 80, 100, 120, 200, 250]) {
    console.log(`agent ${(-20 + gainDb).toFixed(1)} dBFS RMS, minSpeechMs ${String(ms).padStart(3)}: ${run(caller, ms, gainDb)}`);
  }
}
