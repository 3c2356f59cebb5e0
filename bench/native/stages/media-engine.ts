import { speak } from '../../../test/support/espeak.js';
import { buildRtp } from '../../../test/support/impairment.js';
import { MediaEngine, type PayloadKind } from '../../../src/media/media-engine.js';
import { Resampler, ulawEncode } from '../../../src/media/native-dsp.js';
import type { StageBench, StageResult } from '../stage.js';

/**
 * The batch entry point as a media worker drives it: per 20 ms tick, every call's
 * packet is packed (JS), then one ingest, one pull and one analyze for all calls.
 * - jitter buffer: enqueue + ingest + pull only (RTP parse, reorder, playout);
 * - batch: + analyze (concealment, native VAD, barge-in with the agent speaking) —
 *   the "jitter buffer + native VAD + barge-in" figure (Opus payloads; Opus
 *   decoding is @discordjs/opus in JS and not counted);
 * - batch G.711: the same with µ-law, adding native decode and 8 -> 16 kHz upsampling.
 * CPU time from process.cpuUsage over about 200 000 call-frames per figure.
 */

const FRAME = 320;
const CALL_FRAMES = 200_000;

interface Setup {
  engine: MediaEngine;
  packets: Uint8Array[];
  views: DataView[];
}

function setup(calls: number, kind: PayloadKind, speech: Int16Array, narrow: Int16Array): Setup {
  const engine = new MediaEngine({ maxCalls: calls });
  const speechFrames = Math.floor(speech.length / FRAME);
  const packets: Uint8Array[] = [];
  for (let s = 0; s < calls; s++) {
    engine.addCall(s, { payload: kind, payloadType: kind === 'opus' ? 111 : 0 });
    const f = (s * 7) % speechFrames;
    // Opus calls: the frame JS would have decoded sits in the slot's PCM (rewritten only by concealment).
    engine.pcmFrame(s).set(speech.subarray(f * FRAME, (f + 1) * FRAME));
    engine.setAgentFrame(s, true);
    const payload = kind === 'opus' ? new Uint8Array(60).fill(0x5a) : ulawEncode(narrow.subarray(f * 160, (f + 1) * 160));
    packets.push(buildRtp({ sequence: s * 11, timestamp: s * 1000, ssrc: 100 + s, payloadType: kind === 'opus' ? 111 : 0, payload }));
  }
  return { engine, packets, views: packets.map((p) => new DataView(p.buffer, p.byteOffset, p.byteLength)) };
}

function runTicks(su: Setup, ticks: number, startTick: number, analyze: boolean, spf: number): void {
  const { engine, packets, views } = su;
  const n = packets.length;
  for (let k = 0; k < ticks; k++) {
    const tick = startTick + k;
    const t = 1000 + tick * 20;
    for (let s = 0; s < n; s++) {
      const v = views[s] as DataView;
      v.setUint16(2, (s * 11 + tick) & 0xffff);
      v.setUint32(4, (s * 1000 + tick * spf) >>> 0);
      engine.enqueuePacket(s, t, packets[s] as Uint8Array);
    }
    engine.ingest();
    engine.pull(t + 25);
    if (analyze) engine.analyze();
  }
}

function measure(calls: number, kind: PayloadKind, analyze: boolean, speech: Int16Array, narrow: Int16Array): number {
  const su = setup(calls, kind, speech, narrow);
  const spf = kind === 'opus' ? 960 : 160;
  const ticks = Math.max(50, Math.ceil(CALL_FRAMES / calls));
  runTicks(su, 50, 0, analyze, spf); // warm-up
  const t0 = process.cpuUsage();
  runTicks(su, ticks, 50, analyze, spf);
  const used = process.cpuUsage(t0);
  return (used.user + used.system) / (ticks * calls);
}

const bench: StageBench = async (callCounts) => {
  const speech = speak('Hi, my furnace is making a loud banging noise and the house is getting cold.', 'en', 16000);
  const narrow = new Resampler(16000, 8000).process(speech);
  const results: StageResult[] = [];
  for (const calls of callCounts) {
    results.push({
      stage: 'jitter buffer (pack + ingest + pull)',
      calls,
      usPerUnit: measure(calls, 'opus', false, speech, narrow),
      unit: '20 ms frame',
      note: 'Opus payloads; includes JS packing and RTP parsing',
    });
    results.push({
      stage: 'batch: jitter + vad + barge-in',
      calls,
      usPerUnit: measure(calls, 'opus', true, speech, narrow),
      unit: '20 ms frame',
      targetUs: 10,
      note: 'ingest + pull + analyze for all calls, 3 native calls per tick; Opus decode (JS) excluded',
    });
    results.push({
      stage: 'batch G.711: + decode + 8->16 kHz',
      calls,
      usPerUnit: measure(calls, 'pcmu', true, speech, narrow),
      unit: '20 ms frame',
      note: 'µ-law decoded and upsampled natively',
    });
  }
  return results;
};

export default bench;
