/**
 * The media worker's per-tick work for N talking calls, without the network: per call and
 * tick one received Opus packet (espeak-ng speech, pre-encoded) into the worker's jitter
 * engine, one agent frame encoded by the pacer's encoder for the calls whose agent is
 * talking (half of them), then the engine's tick (jitter buffers, Opus decode, VAD,
 * barge-in) handing every frame to a handler that copies it, as the pipeline handler does.
 * Reports CPU µs per tick and per call-frame and the GC pauses, for A/B of the media path's
 * settings (JS vs native Opus decode, encoder complexity).
 *
 *   node --import tsx bench/webrtc-path/media-tick.ts [--calls 150] [--seconds 8] [--rounds 2] [--only <config index>] [--out f.json]
 */
import opus from '@discordjs/opus';
import { writeFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { MediaPacket } from '../../src/media/call-transport.js';
import * as engineModule from '../../src/media/media-engine.js';
import { FRAME_SAMPLES, OpusDecoder16k, OpusEncoder16k } from '../../src/media/opus-codec.js';
import { FrameSlab } from '../../src/providers/audio/frame-slab.js';
import { NativeOpusEncoder16k, type AgentFrameEncoder } from '../../src/media/native-opus-encoder.js';
import { WorkerJitterEngine, type EngineCall, type FrameAnalysis } from '../../src/media/webrtc-jitter-engine.js';
import { speak } from '../../test/support/espeak.js';

const { values } = parseArgs({
  options: { only: { type: 'string' }, rounds: { type: 'string', default: '2' }, calls: { type: 'string', default: '150' }, seconds: { type: 'string', default: '8' }, out: { type: 'string' } },
});
const CALLS = Number(values.calls);
const TICKS = Math.round((Number(values.seconds) * 1000) / 20);

const pcm = speak('Hi, my furnace stopped working this morning and the house is getting cold. Can someone come today?', 'en', 16000);
const speechFrames = Math.floor(pcm.length / FRAME_SAMPLES);
const callerPackets: Buffer[] = (() => {
  const enc = new opus.OpusEncoder(16000, 1);
  enc.setBitrate(24000);
  return Array.from({ length: speechFrames }, (_, i) => enc.encode(Buffer.from(pcm.buffer, pcm.byteOffset + i * FRAME_SAMPLES * 2, FRAME_SAMPLES * 2)));
})();
const agentFrames = Array.from({ length: speechFrames }, (_, i) => pcm.slice(i * FRAME_SAMPLES, (i + 1) * FRAME_SAMPLES));

interface Config {
  name: string;
  nativeOpus: boolean;
  complexity: number;
  /** How the handler copies the frames it keeps: one ArrayBuffer each (slice) or from a FrameSlab. */
  copies: 'slice' | 'slab';
  /** The agent frames encoded by @discordjs/opus (a Buffer each) or into the native encoder's reused buffer. */
  nativeEncode: boolean;
}

class BenchCall implements EngineCall {
  private jsDecoder: OpusDecoder16k | undefined;
  private readonly slab = new FrameSlab();
  /** The last 15 frames (300 ms), like the pipeline's pre-roll. */
  private readonly preRoll: Int16Array[] = [];
  sent: Int16Array | undefined;
  kept = 0;
  constructor(private readonly copies: Config['copies']) {}
  get decoder(): OpusDecoder16k {
    return (this.jsDecoder ??= new OpusDecoder16k());
  }
  agentFrame(): Int16Array | undefined {
    return this.sent;
  }
  onFrame(frame: Int16Array, _a: FrameAnalysis): void {
    // The pipeline handler keeps a copy of every caller frame (pre-roll, utterance buffers).
    const copy = this.copies === 'slab' ? this.slab.copy(frame) : frame.slice();
    this.preRoll.push(copy);
    if (this.preRoll.length > 15) this.preRoll.shift();
    if (copy.length === FRAME_SAMPLES) this.kept++;
  }
  // Packets reach this bench's engine through enqueue(), never through a socket the engine reads.
  onReceived(): void {}
  onDatagram(): void {}
}

async function run(cfg: Config): Promise<Record<string, number | string | boolean>> {
  const engine = new WorkerJitterEngine(engineModule, CALLS, { nativeOpus: cfg.nativeOpus });
  const calls = Array.from({ length: CALLS }, () => new BenchCall(cfg.copies));
  const encoders: AgentFrameEncoder[] = calls.map(() => (cfg.nativeEncode ? new NativeOpusEncoder16k({ complexity: cfg.complexity }) : new OpusEncoder16k({ complexity: cfg.complexity })));
  const slots = calls.map((c) => engine.attach(c) as number);
  const gc = { count: 0, ms: 0, max: 0 };
  const obs = new PerformanceObserver((l) => {
    for (const e of l.getEntries()) {
      gc.count++;
      gc.ms += e.duration;
      gc.max = Math.max(gc.max, e.duration);
    }
  });
  let sentBytes = 0;
  const tick = (t: number, now: number): void => {
    for (let c = 0; c < CALLS; c++) {
      const call = calls[c] as BenchCall;
      const i = (t + c * 7) % speechFrames;
      const p: MediaPacket = { payload: callerPackets[i] as Buffer, sequenceNumber: t & 0xffff, timestamp: (t * 960) >>> 0, marker: false, payloadType: 111, ssrc: 1000 + c, arrivalMs: now - 1 };
      engine.enqueue(slots[c] as number, p);
      // The agent talks to every other call.
      if (c % 2 === 0) {
        const f = agentFrames[i] as Int16Array;
        sentBytes += (encoders[c] as AgentFrameEncoder).encode(f).length;
        call.sent = f;
      } else call.sent = undefined;
    }
    engine.tick(now);
  };
  // Warm-up (JIT, jitter buffers filled), then the measured ticks on a synthetic clock.
  for (let t = 0; t < 100; t++) tick(t, 1000 + t * 20);
  obs.observe({ entryTypes: ['gc'] });
  const c0 = process.cpuUsage();
  let maxTickMs = 0;
  for (let t = 100; t < 100 + TICKS; t++) {
    const s = performance.now();
    tick(t, 1000 + t * 20);
    maxTickMs = Math.max(maxTickMs, performance.now() - s);
    // Let the GC observer's entries through (they are delivered on the event loop).
    if (t % 10 === 0) await new Promise((r) => setImmediate(r));
  }
  const c = process.cpuUsage(c0);
  await new Promise((r) => setImmediate(r));
  obs.disconnect();
  const cpuUs = c.user + c.system;
  return {
    config: cfg.name,
    calls: CALLS,
    usPerTick: +(cpuUs / TICKS).toFixed(0),
    usPerCallFrame: +(cpuUs / TICKS / CALLS).toFixed(2),
    coreSharePct: +((cpuUs / TICKS / 20_000) * 100).toFixed(1),
    maxTickMs: +maxTickMs.toFixed(2),
    keptFrames: calls.reduce((n, c) => n + c.kept, 0),
    gcCount: gc.count,
    gcMsPerSecond: +(gc.ms / ((TICKS * 20) / 1000)).toFixed(2),
    gcMaxMs: +gc.max.toFixed(2),
    agentBytesPerFrame: +(sentBytes / (TICKS * Math.ceil(CALLS / 2) + 100 * Math.ceil(CALLS / 2))).toFixed(1),
  };
}

const configs: Config[] = [
  { name: 'before: JS decode (@discordjs/opus), encode complexity 3', nativeOpus: false, complexity: 3, copies: 'slice', nativeEncode: false },
  { name: 'JS decode, encode complexity 1', nativeOpus: false, complexity: 1, copies: 'slice', nativeEncode: false },
  { name: 'native decode in the engine, encode complexity 1', nativeOpus: true, complexity: 1, copies: 'slice', nativeEncode: false },
  { name: 'native decode, complexity 1, kept frames from a FrameSlab', nativeOpus: true, complexity: 1, copies: 'slab', nativeEncode: false },
  { name: 'after: native decode and encode, complexity 1, FrameSlab', nativeOpus: true, complexity: 1, copies: 'slab', nativeEncode: true },
];
const rows: Array<Record<string, number | string | boolean>> = [];
// Interleaved twice: the machine is shared, so each config runs between the others.
const chosen = values.only === undefined ? configs : configs.filter((_, i) => String(i) === values.only);
for (let round = 0; round < Number(values.rounds); round++) for (const cfg of chosen) rows.push({ round, ...(await run(cfg)) });
console.table(rows);
if (values.out) writeFileSync(values.out, JSON.stringify({ at: new Date().toISOString(), calls: CALLS, ticks: TICKS, rows }, null, 2));
