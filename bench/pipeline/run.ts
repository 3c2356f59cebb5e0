/**
 * Speech-pipeline latency through real calls: a werift caller talks to the
 * gateway (uWS signaling, media worker, native SRTP/jitter/VAD/barge-in) whose
 * pipeline handler uses the OpenAI-compatible providers on the local stub at
 * zero delay. Each cycle: the agent replies, the caller barges in during the
 * reply, the barge-in utterance is the next turn.
 *
 * Figures (issue 5):
 * - gateway share: first agent packet on the wire − max(speech end + end-of-turn wait,
 *   TTS first audio): what the gateway adds beyond the wait and the providers.
 * - barge-in: caller's first voiced frame sent → agent audio stops on the wire
 *   (last agent packet received + one frame), seen from the caller.
 *
 * `npm run bench:pipeline` → bench/results/pipeline.json and the pipeline section of BENCHMARKS.md.
 * BENCH_PIPELINE_CYCLES (default 36) sets the number of cycles; BENCH_PIPELINE_MIN_SPEECH_MS (default 60) the
 * bench tenant's `bargeIn.minSpeechMs` (a copy of config/tenants/demo.yaml; the shipped default is 200).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import uWS from 'uWebSockets.js';
import { parse, stringify } from 'yaml';
import { speak } from '../../test/support/espeak.js';
import { WebRtcCaller } from '../clients/webrtc-caller.js';
import { startOpenAIStub } from '../openai-stub/server.js';
import { pipelineCallHandler } from '../../src/gateway/pipeline-handler-config.js';
import { StoreCallRecorder } from '../../src/gateway/store-call-recorder.js';
import { startWebRtcGateway } from '../../src/gateway/webrtc-gateway.js';
import type { PipelineTrace } from '../../src/media/pipeline-call-handler.js';
import { BARGE_IN_DEFAULTS } from '../../src/agent/tenant/schema.js';
import { EnergyTurnDetector } from '../../src/media/webrtc-energy-detector.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import type { TurnRecord } from '../../src/pipeline/index.js';
import { openStore } from '../../src/records/store.js';
import { CallTokens } from '../../src/signaling/call-token.js';
import { parseTenantOrigins } from '../../src/signaling/tenant-origins.js';
import { listen } from '../../src/transport/http-server.js';
import { writeSection } from './benchmarks-section.js';
import { summarize, type Summary } from './stats.js';

const CYCLES = Number(process.env.BENCH_PIPELINE_CYCLES ?? 36);
const MIN_SPEECH_MS = Number(process.env.BENCH_PIPELINE_MIN_SPEECH_MS ?? 60);
/** Cycles of the comparison call on the shipped defaults (tenant `demo-default`). */
const DEFAULT_CYCLES = Math.max(1, Math.round(CYCLES / 3));
const ORIGIN = 'https://bench.example';
const UTTERANCE = 'Wait, how much will that cost?';
const REPLY =
  'Our standard service call is one hundred and twenty dollars, which covers the first hour of work, and parts are extra. A technician can usually come the same day.';
const GATEWAY_SHARE_TARGET_MS = 30;
const BARGE_IN_TARGET_MS = 150;

const wall = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The utterance without espeak-ng's leading silence, so the first frame sent is voiced. */
function voicedUtterance(): Int16Array {
  const pcm = speak(UTTERANCE, 'en-us');
  for (let i = 0; i + 320 <= pcm.length; i += 320) {
    if (EnergyTurnDetector.levelDbfs(pcm.subarray(i, i + 320)) > -50) return pcm.slice(i);
  }
  return pcm;
}

/** The send time of the first voiced frame after `after` (the caller records the latest; poll it finely). */
async function firstVoicedSentAfter(caller: WebRtcCaller, after: number): Promise<number> {
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline) {
    if (caller.lastSpeechSent > after) return caller.lastSpeechSent;
    await sleep(1);
  }
  throw new Error('caller speech never went out');
}

/** When the agent's audio stopped after `t0`: the last packet before a gap of 100 ms or more, plus one frame. */
function agentStoppedAfter(caller: WebRtcCaller, t0: number): number | undefined {
  const frames = caller.received.filter((f) => f.at >= t0);
  for (let i = 0; i < frames.length; i++) {
    const next = frames[i + 1];
    if (!next) return wall() - frames[i]!.at > 100 ? frames[i]!.at + 20 : undefined;
    if (next.at - frames[i]!.at >= 100) return frames[i]!.at + 20;
  }
  return undefined;
}

async function main(): Promise<void> {
  const log = createLogger('silent');
  const stub = await startOpenAIStub({
    chat: { script: () => ({ content: REPLY }), ttftMs: 0, perTokenMs: 0 },
    audio: { transcription: { text: UTTERANCE, delayMs: 0 }, speech: { firstByteDelayMs: 0, chunkDelayMs: 0 } },
  });
  const dir = mkdtempSync(join(tmpdir(), 'firstring-bench-pipeline-'));
  const dbPath = join(dir, 'calls.db');
  // The demo tenant with the bench's barge-in threshold.
  const tenantsDir = join(dir, 'tenants');
  mkdirSync(tenantsDir);
  const demo = parse(readFileSync('config/tenants/demo.yaml', 'utf8')) as Record<string, unknown>;
  writeFileSync(join(tenantsDir, 'demo.yaml'), stringify({ ...demo, bargeIn: { minSpeechMs: MIN_SPEECH_MS } }));
  writeFileSync(join(tenantsDir, 'demo-default.yaml'), stringify({ ...demo, id: 'demo-default' }));
  const store = openStore(dbPath);
  const recorder = new StoreCallRecorder(store);
  const traces: PipelineTrace[] = [];
  const channelName = `firstring-bench-pipeline-${process.pid}`;
  const channel = new BroadcastChannel(channelName);
  channel.onmessage = (ev) => traces.push((ev as { data: PipelineTrace }).data);
  const app = uWS.App();
  const gateway = await startWebRtcGateway(app, {
    signaling: { tokens: new CallTokens({ secret: Buffer.from('bench-secret-bench-secret-0123456789'), ttlSeconds: 60 }), origins: parseTenantOrigins(`demo=${ORIGIN};demo-default=${ORIGIN}`) },
    media: { iceServers: [], announcedIp: undefined, icePortRange: undefined, workers: 1, rtpTimeoutMs: 5000, maxCallsPerWorker: 50, srtp: 'native', jitterEngine: 'native' },
    handler: pipelineCallHandler({
      tenantsDir,
      dbPath,
      env: { OPENAI_API_KEY: 'sk-bench-not-a-real-key', OPENAI_BASE_URL: stub.baseURL },
      logLevel: 'silent',
      extra: { traceChannel: channelName },
    }),
    recorder,
    metrics: createMetrics(false),
    log,
  });
  const server = await listen(app, '127.0.0.1', 0, log);
  const base = `http://127.0.0.1:${server.port}`;
  const utterance = voicedUtterance();
  const utteranceMs = (utterance.length / 16_000) * 1000;

  /** One call: greeting, then `cycles` replies each interrupted by the caller; returns the call and its barge-ins. */
  async function bargeInCall(tenant: string, cycles: number): Promise<{ callId: string; bargeIns: Array<{ t0: number; stoppedAt: number }> }> {
    const bargeIns: Array<{ t0: number; stoppedAt: number }> = [];
    const caller = await WebRtcCaller.place({ gateway: base, tenant, origin: ORIGIN });
    try {
      // Greeting: wait for it to play out.
      await caller.waitFor(() => {
        const last = caller.loudFramesSince(0).at(-1);
        return last && wall() - last.at > 600;
      }, 30_000, 'greeting');
      caller.say(utterance);
      let saidAt = wall();
      for (let i = 0; i < cycles; i++) {
        // The reply to the last utterance starts; let it play a while, then talk over it.
        const startedAt = await caller.waitFor(() => caller.loudFramesSince(saidAt + utteranceMs)[0]?.at, 20_000, `reply ${i}`);
        await caller.waitFor(() => wall() - startedAt > 700, 5000, 'reply playing');
        saidAt = wall();
        caller.say(utterance);
        const t0 = await firstVoicedSentAfter(caller, saidAt);
        const stoppedAt = await caller.waitFor(() => agentStoppedAfter(caller, t0), 5000, `agent stop ${i}`);
        bargeIns.push({ t0, stoppedAt });
        process.stdout.write(`${tenant} cycle ${i + 1}/${cycles}: barge-in stop ${(stoppedAt - t0).toFixed(0)} ms\n`);
      }
      // The last utterance's reply, then hang up.
      await caller.waitFor(() => caller.loudFramesSince(saidAt + utteranceMs).length > 5, 20_000, 'last reply');
      caller.hangup();
      await caller.waitFor(() => recorder.ended(caller.callId) && traces.some((t) => t.type === 'ended' && t.callId === caller.callId), 10_000, 'call end');
      return { callId: caller.callId, bargeIns };
    } finally {
      await caller.close();
    }
  }

  const { callId, bargeIns } = await bargeInCall('demo', CYCLES);
  // The same conversation on the shipped barge-in defaults, for comparison.
  const atDefault = await bargeInCall('demo-default', DEFAULT_CYCLES);

  const latency = recorder.ended(callId)!.latency;
  const records = traces.flatMap((t) => (t.type === 'turn' && t.callId === callId ? [t.record] : []));
  const waits = new Map<number, number>();
  for (const t of traces) if (t.type === 'metric' && t.callId === callId && t.metric.type === 'eou_metrics') waits.set(t.metric.turnId, t.metric.waitMs);

  const gatewayShare: number[] = [];
  const endToEnd: number[] = [];
  const waitMs: number[] = [];
  const sinkToWire: number[] = [];
  const providerMs: number[] = [];
  const speechEndToTtsAudio: number[] = [];
  const matched = (r: TurnRecord) => latency.turns.find((t) => t.speechEnd !== undefined && Math.abs(t.speechEnd - r.at.speechEnd) < 5 && t.firstAgentPacketOut !== undefined);
  for (const r of records) {
    const wait = waits.get(r.turnId);
    const lt = matched(r);
    if (wait === undefined || !lt || r.at.ttsFirstAudio === undefined || r.at.firstFrameOut === undefined) continue;
    const wire = lt.firstAgentPacketOut!;
    const due = Math.max(r.at.speechEnd + wait, r.at.ttsFirstAudio);
    gatewayShare.push(wire - due);
    endToEnd.push(wire - r.at.speechEnd);
    waitMs.push(wait);
    sinkToWire.push(wire - r.at.firstFrameOut);
    providerMs.push((r.transcriptionDelayMs ?? 0) + (r.llmTtftMs ?? 0) + (r.ttsTtfbMs ?? 0));
    speechEndToTtsAudio.push(r.at.ttsFirstAudio - r.at.speechEnd);
  }
  const bargeStop = bargeIns.map((b) => b.stoppedAt - b.t0);
  const detect: number[] = [];
  const flushToStopMark: number[] = [];
  for (const b of bargeIns) {
    const lt = latency.turns.find((t) => t.bargeInDetected !== undefined && t.bargeInDetected >= b.t0 && t.bargeInDetected < b.t0 + 2000);
    if (!lt) continue;
    detect.push(lt.bargeInDetected! - b.t0);
    if (lt.interruptionStopMs !== undefined) flushToStopMark.push(lt.interruptionStopMs);
  }

  const share = summarize(gatewayShare);
  const barge = summarize(bargeStop);
  const defaultStop = atDefault.bargeIns.map((b) => b.stoppedAt - b.t0);
  const result = {
    bench: 'pipeline',
    date: new Date().toISOString(),
    node: process.version,
    cpu: `${cpus()[0]?.model ?? 'unknown'} (${cpus().length} cores)`,
    setup: 'werift caller ↔ gateway (1 media worker, native SRTP + jitter/VAD/barge-in) ↔ OpenAI-compatible stub at zero delay; LLM engine + stub STT/TTS',
    cycles: CYCLES,
    bargeInMinSpeechMs: MIN_SPEECH_MS,
    turnsMeasured: gatewayShare.length,
    gatewayShareMs: share,
    endToEndMs: summarize(endToEnd),
    endOfTurnWaitMs: summarize(waitMs),
    providerTimeMs: summarize(providerMs),
    speechEndToTtsFirstAudioMs: summarize(speechEndToTtsAudio),
    sinkToWireMs: summarize(sinkToWire),
    bargeIn: {
      callerOnsetToWireStopMs: barge,
      /** Barge-ins the detector caught on the first word (within 300 ms of the caller's onset). */
      stoppedWithin300Ms: bargeStop.filter((v) => v <= 300).length,
      samplesMs: bargeStop.map((v) => Math.round(v)),
      callerOnsetToDetectedMs: summarize(detect),
      detectedToAgentAudioStoppedMs: summarize(flushToStopMark),
    },
    /** The same barge-ins on a second call whose tenant keeps the shipped default (minSpeechMs 200). */
    bargeInAtDefault: {
      minSpeechMs: BARGE_IN_DEFAULTS.minSpeechMs,
      cycles: DEFAULT_CYCLES,
      callerOnsetToWireStopMs: summarize(defaultStop),
      stoppedWithin300Ms: defaultStop.filter((v) => v <= 300).length,
      samplesMs: defaultStop.map((v) => Math.round(v)),
    },
    targets: {
      gatewayShareP95Ms: GATEWAY_SHARE_TARGET_MS,
      bargeInP95Ms: BARGE_IN_TARGET_MS,
      gatewayShareMet: share.p95 !== null && share.p95 <= GATEWAY_SHARE_TARGET_MS,
      bargeInMet: barge.p95 !== null && barge.p95 <= BARGE_IN_TARGET_MS,
    },
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/pipeline.json', `${JSON.stringify(result, null, 2)}\n`);
  writeSection('BENCHMARKS.md', 'pipeline', markdown(result));
  console.log(JSON.stringify(result, null, 2));

  await gateway.close();
  server.close();
  channel.close();
  store.close();
  await stub.close();
  rmSync(dir, { recursive: true, force: true });
}

function row(name: string, s: Summary, target = '', met = ''): string {
  const f = (v: number | null): string => (v === null ? '–' : v.toFixed(1));
  return `| ${name} | ${s.n} | ${f(s.p50)} | ${f(s.p95)} | ${f(s.max)} | ${target} | ${met} |`;
}

function markdown(r: {
  date: string; node: string; cpu: string; cycles: number; bargeInMinSpeechMs: number; gatewayShareMs: Summary; endToEndMs: Summary; endOfTurnWaitMs: Summary; providerTimeMs: Summary;
  speechEndToTtsFirstAudioMs: Summary; sinkToWireMs: Summary;
  bargeIn: { callerOnsetToWireStopMs: Summary; stoppedWithin300Ms: number; callerOnsetToDetectedMs: Summary; detectedToAgentAudioStoppedMs: Summary };
  bargeInAtDefault: { minSpeechMs: number; cycles: number; callerOnsetToWireStopMs: Summary; stoppedWithin300Ms: number };
  targets: { gatewayShareMet: boolean; bargeInMet: boolean };
}): string {
  const d = r.bargeInAtDefault;
  const over = (v: number | null): string => (v === null ? '–' : (v - r.bargeInMinSpeechMs).toFixed(0));
  const yes = (b: boolean): string => (b ? 'met' : 'missed');
  return [
    '## Speech pipeline through real calls',
    '',
    `\`npm run bench:pipeline\` — ${r.date.slice(0, 10)}, Node ${r.node}, ${r.cpu}. One werift caller ↔ the gateway`,
    '(1 media worker, native SRTP, jitter buffer, VAD and barge-in) with the pipeline handler on the OpenAI-compatible',
    `stub at zero delay (LLM engine, stub STT and TTS). ${r.cycles} cycles: the agent replies, the caller barges in during`,
    'the reply, and that utterance is the next turn. Times in ms; `bench/results/pipeline.json` has every figure.',
    '',
    '| figure | n | p50 | p95 | max | target (p95) | result |',
    '|---|---:|---:|---:|---:|---|---|',
    row('gateway share: first agent packet on the wire − max(speech end + end-of-turn wait, TTS first audio)', r.gatewayShareMs, '≤ 30', yes(r.targets.gatewayShareMet)),
    row('end-to-end: VAD speech end → first agent packet on the wire', r.endToEndMs),
    row('end-of-turn wait chosen by the endpointer', r.endOfTurnWaitMs),
    row('provider time: transcription + LLM TTFT + TTS TTFB', r.providerTimeMs),
    row('speech end → TTS first audio (speculative, inside the wait)', r.speechEndToTtsFirstAudioMs),
    row('first frame to the sink → first packet on the wire (20 ms pacer tick)', r.sinkToWireMs),
    row(`barge-in: caller voice onset (sent) → agent audio stops on the wire (caller side), minSpeechMs ${r.bargeInMinSpeechMs}`, r.bargeIn.callerOnsetToWireStopMs, '≤ 150', yes(r.targets.bargeInMet)),
    row(`barge-in: caller voice onset → detector verdict (jitter buffer + ${r.bargeInMinSpeechMs} ms minimum speech)`, r.bargeIn.callerOnsetToDetectedMs),
    row('barge-in: detector verdict → agent audio flushed', r.bargeIn.detectedToAgentAudioStoppedMs),
    row(`barge-in on the shipped default, minSpeechMs ${d.minSpeechMs} (second call, ${d.cycles} cycles)`, d.callerOnsetToWireStopMs, '≤ 150', yes(d.callerOnsetToWireStopMs.p95 !== null && d.callerOnsetToWireStopMs.p95 <= 150)),
    '',
    'Speech end is the media layer\'s VAD offset, which comes after its 200 ms hangover; the caller\'s last voiced',
    'frame precedes it by that hangover plus the jitter-buffer delay.',
    '',
    `**Barge-in threshold.** The bench tenant is \`demo\` with \`bargeIn.minSpeechMs: ${r.bargeInMinSpeechMs}\``,
    '(`BENCH_PIPELINE_MIN_SPEECH_MS`); the shipped default is 200 ms (Vapi\'s 0.2 s; jambonz 250 ms, LiveKit 0.5 s), and',
    `the second call keeps it. The target counts the threshold; the stop takes the threshold plus ${over(r.bargeIn.callerOnsetToWireStopMs.p50)} ms at p50`,
    `and ${over(r.bargeIn.callerOnsetToWireStopMs.p95)} ms at p95 (the first 40 ms of "Wait" are under the echo margin, then the jitter buffer`,
    'and one frame on the wire), so p95 ≤ 150 ms needs a threshold under 80 ms (80 ms gave p50 133, p95 154 on',
    '2026-11-27, just over). A threshold that low is safe here because the pipeline pauses on a',
    'barge-in and resumes after noise or a backchannel (`docs/pipeline.md`): a cough costs a pause of about a second,',
    'not the agent\'s turn. A tenant that would rather never pause on short noises keeps 200 ms or more.',
    '',
    `**Late barge-ins.** On the default, ${d.stoppedWithin300Ms} of ${d.callerOnsetToWireStopMs.n} stopped the agent within 300 ms; with ${r.bargeInMinSpeechMs} ms,`,
    `${r.bargeIn.stoppedWithin300Ms} of ${r.bargeIn.callerOnsetToWireStopMs.n}. The cause, shown frame by frame by \`node --import tsx bench/pipeline/barge-in-onset.ts\`:`,
    'the stub\'s TTS is a steady tone at -12.5 dBFS RMS, so the detector expects echo at -32.5 dBFS (20 dB return loss)',
    'and counts caller frames above -26.5 dBFS (6 dB margin). The espeak "Wait," (Opus round trip) is above that for',
    'only 240 ms (its first 40 ms and its tail are quieter), 40 ms more than a 200 ms minimum: most likely a',
    'concealed or late frame (not traced per call) breaks the run some of the time, and the next chance is "how much"',
    '(about 860 ms) or "cost" (about 1.85 s). Nothing is wrong with the echo model (a steady tone has no peaks to',
    'over-estimate) or the gap tolerance (the run has no dip): the word is simply short for the threshold against',
    'a loud agent. A quieter agent (real TTS sits nearer -20 dBFS) or a lower threshold removes the margin problem.',
  ].join('\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
