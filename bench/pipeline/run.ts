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
 * - backchannel: "Okay." once per main call over a reply: the agent pauses, then resumes
 *   (pause → agent audio again), and the reply is not cut.
 * Calls on the main and the comparison setting run in interleaved rounds (A/B under the same load).
 *
 * `npm run bench:pipeline` → bench/results/pipeline.json and the pipeline section of BENCHMARKS.md.
 * BENCH_PIPELINE_CYCLES (default 36) sets the number of cycles. The main call's tenant is
 * config/tenants/demo.yaml on the shipped barge-in defaults (two stages: pause after `minSpeechMs`
 * 60, confirm after `confirmSpeechMs` 800); BENCH_PIPELINE_MIN_SPEECH_MS overrides its pause
 * threshold. A second, shorter call pauses only after 200 ms (the former default), for comparison.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
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
import { onPipelineTraces, type PipelineTrace } from '../../src/media/pipeline-trace.js';
import { BARGE_IN_DEFAULTS } from '../../src/agent/tenant/schema.js';
import { EnergyTurnDetector } from '../../src/media/webrtc-energy-detector.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import type { TurnRecord } from '../../src/pipeline/index.js';
import { openStore } from '../../src/records/store.js';
import { asyncStore } from '../../src/records/records-store.js';
import { callRecords } from '../../src/records/call-records.js';
import { startRecordsWriter } from '../../src/wiring/records-writer.js';
import { CallTokens } from '../../src/signaling/call-token.js';
import { parseTenantOrigins } from '../../src/signaling/tenant-origins.js';
import { listen } from '../../src/transport/http-server.js';
import { writeSection } from './benchmarks-section.js';
import { summarize, type Summary } from './stats.js';

const CYCLES = Number(process.env.BENCH_PIPELINE_CYCLES ?? 36);
const MIN_SPEECH_MS = Number(process.env.BENCH_PIPELINE_MIN_SPEECH_MS ?? BARGE_IN_DEFAULTS.minSpeechMs);
/** The comparison call's pause threshold (tenant `demo-200`): the single-stage default before the two-stage barge-in. */
const COMPARISON_MIN_SPEECH_MS = 200;
/** Cycles of the comparison call. */
const DEFAULT_CYCLES = Math.max(1, Math.round(CYCLES / 3));
/** Rounds of interleaved calls (main, comparison); the cycles are spread over them. */
const ROUNDS = Math.max(1, Math.min(6, DEFAULT_CYCLES));

/** Round `round`'s part of `total` cycles over ROUNDS rounds. */
function share(total: number, round: number): number {
  return Math.floor((total * (round + 1)) / ROUNDS) - Math.floor((total * round) / ROUNDS);
}
const ORIGIN = 'https://bench.example';
const UTTERANCE = 'Wait, how much will that cost?';
const REPLY =
  'Our standard service call is one hundred and twenty dollars, which covers the first hour of work, and parts are extra. A technician can usually come the same day.';
/** The caller's backchannel over the agent (one per main call): it must pause the agent, not stop it. */
const BACKCHANNEL = 'Okay.';
const BACKCHANNEL_TEXT = 'okay';
/** What the caller is saying, for the stub's transcriptions (the bench knows; the stub cannot tell from the audio). */
let saying: 'question' | 'backchannel' = 'question';
const GATEWAY_SHARE_TARGET_MS = 30;
const BARGE_IN_TARGET_MS = 150;

const wall = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The utterance without espeak-ng's leading silence, so the first frame sent is voiced. */
function voicedUtterance(): Int16Array {
  return voiced(speak(UTTERANCE, 'en-us'));
}

function voiced(pcm: Int16Array): Int16Array {
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
    audio: {
      // While the caller says the backchannel, what it says is the backchannel; otherwise the question.
      transcription: { text: () => (saying === 'backchannel' ? BACKCHANNEL_TEXT : UTTERANCE), delayMs: 0 },
      speech: { firstByteDelayMs: 0, chunkDelayMs: 0 },
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'firstring-bench-pipeline-'));
  const dbPath = join(dir, 'calls.db');
  // The demo tenant (shipped barge-in defaults unless overridden) and the 200 ms comparison tenant.
  const tenantsDir = join(dir, 'tenants');
  mkdirSync(tenantsDir);
  const demo = parse(readFileSync('config/tenants/demo.yaml', 'utf8')) as Record<string, unknown>;
  writeFileSync(join(tenantsDir, 'demo.yaml'), stringify(process.env.BENCH_PIPELINE_MIN_SPEECH_MS ? { ...demo, bargeIn: { minSpeechMs: MIN_SPEECH_MS } } : demo));
  writeFileSync(join(tenantsDir, 'demo-200.yaml'), stringify({ ...demo, id: 'demo-200', bargeIn: { minSpeechMs: COMPARISON_MIN_SPEECH_MS } }));
  const store = openStore(dbPath);
  // The workers' call records reach the store through the records writer, as in the gateway.
  const writer = startRecordsWriter(callRecords(asyncStore(store)), log);
  const recorder = new StoreCallRecorder(writer.calls, { log });
  const traces: PipelineTrace[] = [];
  const channelName = `firstring-bench-pipeline-${process.pid}`;
  const channel = new BroadcastChannel(channelName);
  onPipelineTraces(channel, (t) => traces.push(t));
  const app = uWS.App();
  const gateway = await startWebRtcGateway(app, {
    signaling: { tokens: new CallTokens({ secret: Buffer.from('bench-secret-bench-secret-0123456789'), ttlSeconds: 60 }), origins: parseTenantOrigins(`demo=${ORIGIN};demo-200=${ORIGIN}`) },
    media: { iceServers: [], announcedIp: undefined, icePortRange: undefined, workers: 1, rtpTimeoutMs: 5000, maxCallsPerWorker: 50, srtp: 'native', jitterEngine: 'native' },
    handler: pipelineCallHandler({
      tenantsDir,
      dbPath,
      env: { OPENAI_API_KEY: 'sk-bench-not-a-real-key', OPENAI_BASE_URL: stub.baseURL },
      logLevel: (process.env.BENCH_PIPELINE_LOG_LEVEL ?? 'silent') as 'silent',
      extra: { traceChannel: channelName },
    }),
    recorder,
    metrics: createMetrics(false),
    log,
    recordsPort: () => writer.connectWorker(),
  });
  const server = await listen(app, '127.0.0.1', 0, log);
  const base = `http://127.0.0.1:${server.port}`;
  const utterance = voicedUtterance();
  const utteranceMs = (utterance.length / 16_000) * 1000;
  const backchannel = voiced(speak(BACKCHANNEL, 'en-us'));

  /** One call: greeting, then `cycles` replies each interrupted by the caller; returns the call and its barge-ins. */
  async function bargeInCall(
    tenant: string,
    cycles: number,
    backchannels: number,
  ): Promise<{ callId: string; bargeIns: Array<{ t0: number; stoppedAt: number }>; backchannels: Array<{ t0: number; stoppedAt: number; resumedAt: number }> }> {
    const bargeIns: Array<{ t0: number; stoppedAt: number }> = [];
    const backchannelPauses: Array<{ t0: number; stoppedAt: number; resumedAt: number }> = [];
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
      // Backchannels over that reply: the agent pauses, hears "okay", and goes on where it stopped.
      for (let i = 0; i < backchannels; i++) {
        const playing = wall();
        await caller.waitFor(() => wall() - playing > 700, 5000, 'reply playing');
        const at = wall();
        saying = 'backchannel';
        caller.say(backchannel);
        const t0 = await firstVoicedSentAfter(caller, at);
        const stoppedAt = await caller.waitFor(() => agentStoppedAfter(caller, t0), 5000, `backchannel pause ${i}`);
        const resumedAt = await caller.waitFor(() => caller.loudFramesSince(stoppedAt + 20)[0]?.at, 10_000, `agent resumes ${i}`);
        saying = 'question';
        backchannelPauses.push({ t0, stoppedAt, resumedAt });
        process.stdout.write(`${tenant} backchannel ${i + 1}/${backchannels}: paused ${(stoppedAt - t0).toFixed(0)} ms after the onset, resumed ${(resumedAt - stoppedAt).toFixed(0)} ms later\n`);
      }
      caller.hangup();
      await caller.waitFor(() => recorder.ended(caller.callId) && traces.some((t) => t.type === 'ended' && t.callId === caller.callId), 10_000, 'call end');
      return { callId: caller.callId, bargeIns, backchannels: backchannelPauses };
    } finally {
      await caller.close();
    }
  }

  // Interleaved blocks (A/B on a shared machine): each round one call on the main tenant and one
  // on the 200 ms comparison tenant, so load spikes fall on both alike.
  const mainCalls: Array<Awaited<ReturnType<typeof bargeInCall>>> = [];
  const comparisonCalls: typeof mainCalls = [];
  const loadBefore = loadavg();
  for (let round = 0; round < ROUNDS; round++) {
    mainCalls.push(await bargeInCall('demo', share(CYCLES, round), 1));
    comparisonCalls.push(await bargeInCall('demo-200', share(DEFAULT_CYCLES, round), 0));
  }
  const loadAfter = loadavg();
  const bargeIns = mainCalls.flatMap((c) => c.bargeIns);
  const atDefault = { bargeIns: comparisonCalls.flatMap((c) => c.bargeIns) };
  const mainIds = new Set(mainCalls.map((c) => c.callId));
  const latencyTurns = mainCalls.flatMap((c) => recorder.ended(c.callId)!.latency.turns.map((t) => ({ ...t, callId: c.callId })));
  const records = traces.flatMap((t) => (t.type === 'turn' && mainIds.has(t.callId) ? [{ callId: t.callId, ...t.record }] : []));
  const waits = new Map<string, number>();
  for (const t of traces) if (t.type === 'metric' && mainIds.has(t.callId) && t.metric.type === 'eou_metrics') waits.set(`${t.callId}/${t.metric.turnId}`, t.metric.waitMs);

  const gatewayShare: number[] = [];
  const endToEnd: number[] = [];
  const waitMs: number[] = [];
  const sinkToWire: number[] = [];
  const providerMs: number[] = [];
  const speechEndToTtsAudio: number[] = [];
  const matched = (r: TurnRecord & { callId: string }) =>
    latencyTurns.find((t) => t.callId === r.callId && t.speechEnd !== undefined && Math.abs(t.speechEnd - r.at.speechEnd) < 5 && t.firstAgentPacketOut !== undefined);
  for (const r of records) {
    const wait = waits.get(`${r.callId}/${r.turnId}`);
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
  const backchannelPauses = mainCalls.flatMap((c) => c.backchannels);
  const metricsOf = (type: string) => traces.flatMap((t) => (t.type === 'metric' && mainIds.has(t.callId) && t.metric.type === type ? [t.metric] : []));
  const resumedMetrics = metricsOf('interruption_metrics').filter((m) => m.type === 'interruption_metrics' && m.resumed).length;
  const backchannelTurns = records.filter((r) => r.outcome === 'backchannel').length;
  const interruptedTurns = records.filter((r) => r.outcome === 'interrupted').length;
  const detect: number[] = [];
  const flushToStopMark: number[] = [];
  for (const b of bargeIns) {
    const lt = latencyTurns.find((t) => t.bargeInDetected !== undefined && t.bargeInDetected >= b.t0 && t.bargeInDetected < b.t0 + 2000);
    if (!lt) continue;
    detect.push(lt.bargeInDetected! - b.t0);
    if (lt.interruptionStopMs !== undefined) flushToStopMark.push(lt.interruptionStopMs);
  }

  const gatewayShareSummary = summarize(gatewayShare);
  const barge = summarize(bargeStop);
  const defaultStop = atDefault.bargeIns.map((b) => b.stoppedAt - b.t0);
  const result = {
    bench: 'pipeline',
    date: new Date().toISOString(),
    node: process.version,
    cpu: `${cpus()[0]?.model ?? 'unknown'} (${cpus().length} cores)`,
    setup: 'werift caller ↔ gateway (1 media worker, native SRTP + jitter/VAD/barge-in) ↔ OpenAI-compatible stub at zero delay; LLM engine + stub STT/TTS (voice-like signal, about -20 dBFS RMS)',
    cycles: CYCLES,
    bargeInMinSpeechMs: MIN_SPEECH_MS,
    bargeInConfirmSpeechMs: BARGE_IN_DEFAULTS.confirmSpeechMs,
    turnsMeasured: gatewayShare.length,
    gatewayShareMs: gatewayShareSummary,
    /** Load average (1, 5, 15 min) before and after the calls: the machine is shared. */
    loadAverage: { before: loadBefore.map((v) => Number(v.toFixed(2))), after: loadAfter.map((v) => Number(v.toFixed(2))) },
    rounds: ROUNDS,
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
    /** "Okay." over the agent, once per main call: the agent pauses, then resumes where it stopped. */
    backchannel: {
      n: backchannelPauses.length,
      callerOnsetToPauseMs: summarize(backchannelPauses.map((b) => b.stoppedAt - b.t0)),
      pauseToResumeMs: summarize(backchannelPauses.map((b) => b.resumedAt - b.stoppedAt)),
      /** Turns the pipeline recorded as backchannels, and interruptions it resumed from (main calls). */
      backchannelTurns,
      resumed: resumedMetrics,
      /** Replies cut by a confirmed interruption: one per barge-in cycle, none for a backchannel. */
      interruptedTurns,
      bargeInCycles: bargeIns.length,
    },
    /** The same barge-ins on a second call whose tenant pauses only after 200 ms (the former single-stage default). */
    bargeInAt200: {
      minSpeechMs: COMPARISON_MIN_SPEECH_MS,
      cycles: DEFAULT_CYCLES,
      callerOnsetToWireStopMs: summarize(defaultStop),
      stoppedWithin300Ms: defaultStop.filter((v) => v <= 300).length,
      samplesMs: defaultStop.map((v) => Math.round(v)),
    },
    targets: {
      gatewayShareP95Ms: GATEWAY_SHARE_TARGET_MS,
      bargeInP95Ms: BARGE_IN_TARGET_MS,
      gatewayShareMet: gatewayShareSummary.p95 !== null && gatewayShareSummary.p95 <= GATEWAY_SHARE_TARGET_MS,
      bargeInMet: barge.p95 !== null && barge.p95 <= BARGE_IN_TARGET_MS,
    },
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/pipeline.json', `${JSON.stringify(result, null, 2)}\n`);
  writeSection('BENCHMARKS.md', 'pipeline', markdown(result));
  console.log(JSON.stringify(result, null, 2));

  await gateway.close();
  await writer.close();
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
  date: string; node: string; cpu: string; cycles: number; bargeInMinSpeechMs: number; bargeInConfirmSpeechMs: number; gatewayShareMs: Summary; endToEndMs: Summary; endOfTurnWaitMs: Summary; providerTimeMs: Summary;
  speechEndToTtsFirstAudioMs: Summary; sinkToWireMs: Summary;
  bargeIn: { callerOnsetToWireStopMs: Summary; stoppedWithin300Ms: number; callerOnsetToDetectedMs: Summary; detectedToAgentAudioStoppedMs: Summary };
  backchannel: { n: number; callerOnsetToPauseMs: Summary; pauseToResumeMs: Summary; backchannelTurns: number; resumed: number; interruptedTurns: number; bargeInCycles: number };
  bargeInAt200: { minSpeechMs: number; cycles: number; callerOnsetToWireStopMs: Summary; stoppedWithin300Ms: number };
  targets: { gatewayShareMet: boolean; bargeInMet: boolean };
  loadAverage: { before: number[]; after: number[] };
  rounds: number;
}): string {
  const d = r.bargeInAt200;
  const over = (v: number | null): string => (v === null ? '–' : (v - r.bargeInMinSpeechMs).toFixed(0));
  const yes = (b: boolean): string => (b ? 'met' : 'missed');
  const shipped = r.bargeInMinSpeechMs === BARGE_IN_DEFAULTS.minSpeechMs;
  return [
    '## Speech pipeline through real calls',
    '',
    `\`npm run bench:pipeline\` — ${r.date.slice(0, 10)}, Node ${r.node}, ${r.cpu}. One werift caller ↔ the gateway`,
    '(1 media worker, native SRTP, jitter buffer, VAD and barge-in) with the pipeline handler on the OpenAI-compatible',
    `stub at zero delay (LLM engine, stub STT and TTS). ${r.cycles} cycles: the agent replies, the caller barges in during`,
    'the reply, and that utterance is the next turn. Times in ms; `bench/results/pipeline.json` has every figure.',
    'The stub TTS speaks a voice-like signal (130 Hz and harmonics under a 4 Hz syllable envelope, about -20 dBFS RMS;',
    'until 2026-11-27 it was a steady tone at -12.5 dBFS, louder than real TTS, which made the echo margin unrealistically hard).',
    `The calls run in ${r.rounds} interleaved rounds (one call on each barge-in setting per round), so both settings meet the same load:`,
    `the machine is shared with other work (load average ${r.loadAverage.before.join(', ')} before, ${r.loadAverage.after.join(', ')} after, on 2 cores).`,
    '',
    '| figure | n | p50 | p95 | max | target (p95) | result |',
    '|---|---:|---:|---:|---:|---|---|',
    row('gateway share: first agent packet on the wire − max(speech end + end-of-turn wait, TTS first audio)', r.gatewayShareMs, '≤ 30', yes(r.targets.gatewayShareMet)),
    row('end-to-end: VAD speech end → first agent packet on the wire', r.endToEndMs),
    row('end-of-turn wait chosen by the endpointer', r.endOfTurnWaitMs),
    row('provider time: transcription + LLM TTFT + TTS TTFB', r.providerTimeMs),
    row('speech end → TTS first audio (speculative, inside the wait)', r.speechEndToTtsFirstAudioMs),
    row('first frame to the sink → first packet on the wire (20 ms pacer tick)', r.sinkToWireMs),
    row(`barge-in: caller voice onset (sent) → agent audio stops on the wire (caller side), ${shipped ? 'shipped defaults, ' : ''}minSpeechMs ${r.bargeInMinSpeechMs}`, r.bargeIn.callerOnsetToWireStopMs, '≤ 150', yes(r.targets.bargeInMet)),
    row(`barge-in: caller voice onset → detector verdict (jitter buffer + ${r.bargeInMinSpeechMs} ms minimum speech)`, r.bargeIn.callerOnsetToDetectedMs),
    row('barge-in: detector verdict → agent audio flushed', r.bargeIn.detectedToAgentAudioStoppedMs),
    row('backchannel "Okay." over the agent: caller voice onset → agent paused on the wire', r.backchannel.callerOnsetToPauseMs),
    row('backchannel: agent paused → agent audio again (what a false pause costs: VAD hangover + transcript)', r.backchannel.pauseToResumeMs),
    row(`barge-in pausing only after ${d.minSpeechMs} ms (the former single-stage default; second call, ${d.cycles} cycles)`, d.callerOnsetToWireStopMs, '≤ 150', yes(d.callerOnsetToWireStopMs.p95 !== null && d.callerOnsetToWireStopMs.p95 <= 150)),
    '',
    'Speech end is the media layer\'s VAD offset, which comes after its 200 ms hangover; the caller\'s last voiced',
    'frame precedes it by that hangover plus the jitter-buffer delay.',
    '',
    `**Two-stage barge-in.** Settings: tenant \`bargeIn.minSpeechMs: ${r.bargeInMinSpeechMs}\`, \`confirmSpeechMs: ${r.bargeInConfirmSpeechMs}\`${shipped ? ' (the shipped defaults)' : ' (`BENCH_PIPELINE_MIN_SPEECH_MS`)'},`,
    'echo margin 6 dB, return loss 20 dB. Stage one: the native detector pauses the agent (the sink is flushed, the',
    'reply\'s cursor kept) after that much caller voice above the expected echo; this is what the target measures.',
    `Stage two (not audible): the pipeline confirms the interruption when the caller still talks ${r.bargeInConfirmSpeechMs} ms after the onset or`,
    'the transcript is not a backchannel (LLM and TTS cancelled, heard text recorded), and otherwise resumes from the',
    'paused frame: a cough or "mm-hmm" costs a pause, not the agent\'s turn (`docs/pipeline.md`). The stop takes the',
    `threshold plus ${over(r.bargeIn.callerOnsetToWireStopMs.p50)} ms at p50 and ${over(r.bargeIn.callerOnsetToWireStopMs.p95)} ms at p95 (jitter buffer, a frame or two of "Wait" under`,
    'the echo margin, one frame on the wire). Pausing only after 200 ms cannot meet a 150 ms target whatever the rest costs.',
    `Backchannels: ${r.backchannel.n} times "Okay." over a reply; the pipeline recorded ${r.backchannel.backchannelTurns} backchannel turns and resumed ${r.backchannel.resumed} paused replies`,
    `from the paused frame; ${r.backchannel.interruptedTurns} replies were cut, for ${r.backchannel.bargeInCycles} barge-in cycles.`,
    `Stopped within 300 ms: ${r.bargeIn.stoppedWithin300Ms} of ${r.bargeIn.callerOnsetToWireStopMs.n} at ${r.bargeInMinSpeechMs} ms, ${d.stoppedWithin300Ms} of ${d.callerOnsetToWireStopMs.n} at ${d.minSpeechMs} ms.`,
    'Frame by frame, `node --import tsx bench/pipeline/barge-in-onset.ts` shows when the detector counts "Wait," over the stub voice.',
  ].join('\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
