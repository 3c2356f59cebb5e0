import { JitterBuffer } from '../../../src/media/native-jitter.js';
import { buildRtp, impairedStream } from '../../../test/support/impairment.js';
import type { StageBench, StageResult } from '../stage.js';

/**
 * The standalone jitter buffer through its per-packet binding (one push and one pull
 * N-API crossing per frame) under 5% loss, 40 ms jitter and 5% reordering. The media
 * engine's figure (media-engine stage) shows the batched path; this one shows what
 * per-packet crossings would cost.
 */

const CALL_FRAMES = 100_000;
const STREAM = 500;

const bench: StageBench = async (callCounts) => {
  const s = impairedStream({ seed: 11, packets: STREAM, loss: 0.05, jitterMs: 40, reorder: 0.05 });
  const arrivals = s.arrivals.map((a) => ({ ...a, bytes: buildRtp({ sequence: a.sequence, timestamp: a.timestamp, ssrc: 1, payload: new Uint8Array(60) }) }));
  const results: StageResult[] = [];
  for (const calls of callCounts) {
    const jbs = Array.from({ length: calls }, () => new JitterBuffer({ maxPayload: 200 }));
    const rounds = Math.max(1, Math.ceil(CALL_FRAMES / (calls * STREAM)));
    let frames = 0;
    const t0 = process.cpuUsage();
    for (let r = 0; r < rounds; r++) {
      const offset = r * (STREAM * 20 + 1000);
      for (const jb of jbs) jb.reset();
      let next = 0;
      for (let t = 1000 + offset; t < 1000 + offset + STREAM * 20 + 300; t += 20) {
        while (next < arrivals.length && (arrivals[next]?.arrivalMs ?? Infinity) + offset <= t) {
          const a = arrivals[next++];
          if (a) for (const jb of jbs) jb.push(a.bytes, a.arrivalMs + offset);
        }
        for (const jb of jbs) jb.pull(t);
        frames += calls;
      }
    }
    const used = process.cpuUsage(t0);
    results.push({
      stage: 'jitter buffer, per-packet binding',
      calls,
      usPerUnit: (used.user + used.system) / frames,
      unit: '20 ms frame',
      note: 'push + pull crossing N-API per packet (not the hot path)',
    });
  }
  return results;
};

export default bench;
