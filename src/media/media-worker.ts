import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { RTCDtlsTransport } from 'werift';
import { MediaClock } from './pacer.js';
import type { CallHandlerFactory } from './webrtc-call-handler.js';
import { wallClock } from './webrtc-call-handler.js';
import { armThreadProfile, profileRequestFromEnv } from '../observability/thread-profiler.js';
import { MediaSession, workerMediaCounters } from './webrtc-media-session.js';
import { WorkerJitterEngine } from './webrtc-jitter-engine.js';
import { WebRtcTransport } from './webrtc-transport.js';
import { HandlerLink } from './handler-link.js';
import { installNativeX25519 } from './werift-native-x25519.js';
import { mediaWorkerRtPriorityFromEnv, setThreadNice, setThreadRealtime } from './worker-thread-priority.js';
import { replaceWorkerTenants } from './worker-tenants.js';
import { threadHeap } from '../observability/thread-heap.js';
import type { FromWorker, MediaWorkerData, ToWorker } from './worker-pool-messages.js';

/**
 * A media worker thread: runs the werift peer connections of its calls and one
 * 20 ms media clock for all of them. Signaling stays on the main thread.
 */
const port = parentPort;
if (!port) throw new Error('media-worker.ts must run as a worker thread');
const data = workerData as MediaWorkerData;
const post = (m: FromWorker): void => port.postMessage(m);

const nativeOpus = data.settings.opusCodec !== 'js';
/**
 * The call handlers run in a handler thread the main thread started (its link in this worker's
 * data) unless HANDLER_THREAD=inline, in which case this worker loads the handler module itself.
 */
const host = data.handlerLink
  ? new HandlerLink(data.handlerLink, {
      log: (level, msg, err) => post(err === undefined ? { t: 'log', level, msg } : { t: 'log', level, msg, err }),
      // The handler thread died with this worker's handlers: the pool restarts this worker (its calls end as worker_failed).
      onClose: () => post({ t: 'log', level: 'error', msg: 'handler thread link closed: calls cannot go on until the pool restarts this worker' }),
    })
  : undefined;
const inlineFactory = host ? undefined : await loadHandlerModule(data.handlerModule);

async function loadHandlerModule(url: string): Promise<CallHandlerFactory> {
  const mod = (await import(url)) as { createCallHandler?: CallHandlerFactory };
  if (typeof mod.createCallHandler !== 'function') throw new Error(`${url} does not export createCallHandler`);
  return mod.createCallHandler;
}

/** Loads a native-backed module; the reason when the addon lacks it (the worker then runs without it). */
async function loadOptional<T>(load: () => Promise<T>): Promise<{ mod?: T; error?: string }> {
  try {
    return { mod: await load() };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

// Keep the 20 ms clock ahead of less urgent threads on the core (worker-thread-priority.ts).
const niceRefused = setThreadNice(data.threadNice);
if (niceRefused) post({ t: 'log', level: 'warn', msg: `media worker keeps its scheduling priority: ${niceRefused}` });
// Opt-in real-time class (MEDIA_WORKER_RT_PRIORITY): ahead of other processes on the core too, at a CPU cost (worker-thread-priority.ts).
const rtPriority = mediaWorkerRtPriorityFromEnv();
const rtRefused = rtPriority > 0 ? setThreadRealtime(rtPriority) : undefined;
if (rtRefused) post({ t: 'log', level: 'warn', msg: `media worker stays in the normal scheduling class: ${rtRefused}` });

// werift's DTLS ECDHE on OpenSSL instead of tweetnacl's JavaScript (werift-native-x25519.ts).
installNativeX25519();
// werift makes one self-signed DTLS certificate per thread on first use (ECDSA key + X.509
// signing): make it now, not inside the first call's answer while other calls are running.
await RTCDtlsTransport.SetupCertificate();

const native = data.settings.srtp === 'native' ? await loadOptional(() => import('./werift-native-srtp.js')) : {};
const jitter =
  data.settings.jitterEngine === 'native'
    ? await loadOptional(async () => new WorkerJitterEngine(await import('./media-engine.js'), data.settings.maxCallsPerWorker, { nativeOpus }))
    : {};

// A stray rejection inside werift (a send racing a close) must not take down every call of this worker.
process.on('unhandledRejection', (err) => post({ t: 'log', level: 'warn', msg: 'unhandled rejection in media worker', err: String(err) }));

const sessions = new Map<string, MediaSession>();
/** Calls whose handler is being created in the handler thread; their offer and candidates wait for it. */
const starting = new Map<string, Promise<MediaSession | undefined>>();
const clock = new MediaClock((tick, now) => {
  for (const s of sessions.values()) s.tick(tick, now);
  jitter.mod?.tick(now);
  host?.afterTick();
});
// This thread's own event-loop delay (the main thread's is prom-client's default metric).
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
const sent = { ticks: 0, overruns: 0, skipped: 0 };
setInterval(() => {
  const ms = (ns: number): number => ns / 1e6;
  post({
    t: 'stats',
    jitterMs: clock.takeJitter(),
    busyMs: clock.takeBusy(),
    ticks: clock.ticks - sent.ticks,
    overruns: clock.overruns - sent.overruns,
    skipped: clock.skipped - sent.skipped,
    calls: sessions.size,
    playoutDelayMs: jitter.mod?.takeOffsetDelays() ?? [],
    heap: threadHeap(),
    loopDelayMs: loopDelay.count > 0 ? { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) } : { p50: 0, p99: 0, max: 0 },
  });
  loopDelay.reset();
  sent.ticks = clock.ticks;
  sent.overruns = clock.overruns;
  sent.skipped = clock.skipped;
}, 1000).unref();

// FIRSTRING_MEDIA_CPU_PROF=<dir>: one CPU profile window of this thread at steady load (thread-profiler.ts).
const profileRequest = profileRequestFromEnv();
if (profileRequest) {
  armThreadProfile(
    profileRequest,
    'media-worker',
    { calls: () => sessions.size, counters: () => ({ ...workerMediaCounters, ticks: clock.ticks, overruns: clock.overruns, skipped: clock.skipped }) },
    (r) => post(r instanceof Error ? { t: 'log', level: 'warn', msg: 'media worker CPU profile failed', err: r.message } : { t: 'log', level: 'warn', msg: `media worker CPU profile written: ${r}` }),
  );
}

/** Starts a call: its handler (in the handler thread, or here), then its media session. */
function start(callId: string, tenant: string): void {
  if (!host) {
    startSession(callId, tenant, inlineFactory!);
    return;
  }
  const p = host.open(callId, tenant).then(
    (factory) => {
      starting.delete(callId);
      const session = startSession(callId, tenant, factory);
      if (!session) host.abandon(callId);
      return session;
    },
    (err: unknown) => {
      starting.delete(callId);
      startFailed(callId, err);
      return undefined;
    },
  );
  starting.set(callId, p);
}

function startSession(callId: string, tenant: string, factory: CallHandlerFactory): MediaSession | undefined {
  const transport = new WebRtcTransport(data.settings, (candidate) => post({ t: 'candidate', callId, candidate }), native.mod);
  let session: MediaSession;
  try {
    session = newSession(callId, tenant, transport, factory);
  } catch (err) {
    transport.close('handler_error');
    startFailed(callId, err);
    return undefined;
  }
  sessions.set(callId, session);
  clock.start();
  return session;
}

function startFailed(callId: string, err: unknown): void {
  post({ t: 'log', level: 'error', msg: `call could not start (${callId})`, err: String(err) });
  post({ t: 'ended', callId, reason: 'handler_error', at: wallClock() });
}

/** The call's session, once its handler exists (undefined when it is gone or failed to start). */
async function session(callId: string): Promise<MediaSession | undefined> {
  return sessions.get(callId) ?? starting.get(callId);
}

function newSession(callId: string, tenant: string, transport: WebRtcTransport, factory: CallHandlerFactory): MediaSession {
  return new MediaSession(
    { callId, tenant, rtpTimeoutMs: data.settings.rtpTimeoutMs, connectTimeoutMs: data.connectTimeoutMs },
    transport,
    factory,
    data.handlerOptions,
    {
      candidate: (candidate) => post({ t: 'candidate', callId, candidate }),
      connected: (srtp, jitterImpl) => post({ t: 'connected', callId, srtp, jitter: jitterImpl }),
      ended: (reason) => {
        sessions.delete(callId);
        if (sessions.size === 0) clock.stop();
        const s = transport.srtpBridge?.stats;
        const srtpDropped = s ? { authFailed: s.authFailed, replayed: s.replayed, tooOld: s.tooOld, malformed: s.malformed } : undefined;
        post(srtpDropped ? { t: 'ended', callId, reason, at: wallClock(), srtpDropped } : { t: 'ended', callId, reason, at: wallClock() });
      },
      mark: (mark, at) => post({ t: 'mark', callId, mark, at: at ?? wallClock() }),
      turn: (turn) => post({ t: 'turn', callId, turn }),
      error: (err) => post({ t: 'log', level: 'error', msg: `call handler failed (${callId})`, err: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      transcript: (role, text, final) => post({ t: 'transcript', callId, role, text, final, at: wallClock() }),
    },
    clock.currentSlot,
    jitter.mod,
    nativeOpus,
  );
}

port.on('message', (m: ToWorker) => {
  switch (m.t) {
    case 'start':
      start(m.callId, m.tenant);
      return;
    case 'offer':
      void session(m.callId).then((s) => {
        if (!s) {
          post({ t: 'answer_error', reqId: m.reqId, message: 'call is gone' });
          return;
        }
        s.offer(m.sdp).then(
          (sdp) => post({ t: 'answer', reqId: m.reqId, sdp }),
          (err: unknown) => post({ t: 'answer_error', reqId: m.reqId, message: err instanceof Error ? err.message : String(err) }),
        );
      });
      return;
    case 'candidate':
      void session(m.callId).then((s) => s?.addCandidate(m.candidate).catch(() => undefined));
      return;
    case 'hangup':
      void session(m.callId).then((s) => s?.hangup(m.reason));
      return;
    case 'tenants':
      replaceWorkerTenants(m.tenants);
      return;
  }
});

const fallbacks = [native.error && `native SRTP unavailable (${native.error})`, jitter.error && `native jitter engine unavailable (${jitter.error})`].filter(Boolean);
post(fallbacks.length ? { t: 'ready', fallback: fallbacks.join('; ') } : { t: 'ready' });
