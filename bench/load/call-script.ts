import { analyzeArrivals, type ContinuityStats } from './continuity.js';
import { leadingSilenceMs, type Language, type TalkPattern, type Utterances } from './talk-pattern.js';
import type { CallerSession, CallerTransport, ReceivedAudio } from './transports/types.js';

/** One caller turn: the caller speaks, the agent replies (and may be barged in on). */
export interface TurnResult {
  language: Language;
  /** Caller's last speech sample sent → first agent speech received (ms); null when no reply came or the agent was already talking. */
  gapMs: number | null;
  /** The agent was already sending audio when the caller finished (it answered mid-utterance, or an earlier reply ran on). */
  overlapped?: boolean;
  /** Caller speech onset over agent audio → last agent packet received (ms); only on barge-in turns (null: the agent never stopped). */
  bargeInMs?: number | null;
  /** Language of the barge-in utterance. */
  bargeLanguage?: Language;
  /** The turn is the agent's answer to a barge-in utterance (the caller talked over a reply). */
  afterBargeIn?: boolean;
}

export interface CallResult {
  index: number;
  callId: string;
  transport: string;
  /** ms since epoch when the call was started (signaling start). */
  startedAt: number;
  durationMs: number;
  outcome: 'ok' | 'failed' | 'dropped';
  /** Why it failed or was dropped. */
  error?: string;
  /** Signaling start → first agent speech received (ms). */
  setupMs: number | null;
  turns: TurnResult[];
  continuity: ContinuityStats;
}

export interface CallScriptOptions {
  transport: CallerTransport;
  url: string;
  tenant: string;
  origin: string;
  pattern: TalkPattern;
  utterances: Utterances;
  /** Aborted by the orchestrator at the end of a step: the call hangs up at its next wait. */
  signal: AbortSignal;
  /** Longest wait for any agent audio (greeting, reply). */
  replyTimeoutMs?: number;
}

const POLL_MS = 20;
/** No agent packet for this long: its talkspurt ended (reply finished, or stopped by a barge-in). */
const QUIET_MS = 400;
/** No agent speech for this long also counts as the end of a reply (for gateways that send silence frames). */
const SILENT_MS = 1500;
const now = (): number => performance.timeOrigin + performance.now();

class Dropped extends Error {}
class Stopped extends Error {}

/** Arrival of the latest agent speech frame, kept incrementally (a wait polls it every 20 ms). */
class SpeechTracker {
  private seen = 0;
  private last: number | undefined;

  latest(rx: readonly ReceivedAudio[]): number | undefined {
    for (; this.seen < rx.length; this.seen++) {
      const f = rx[this.seen] as ReceivedAudio;
      if (f.speech) this.last = f.at;
    }
    return this.last;
  }
}

function firstSpeechAfter(rx: readonly ReceivedAudio[], t: number): number | undefined {
  let found: number | undefined;
  for (let i = rx.length - 1; i >= 0; i--) {
    const f = rx[i] as ReceivedAudio;
    if (f.at <= t) break;
    if (f.speech) found = f.at;
  }
  return found;
}

/**
 * Runs one synthetic call: place it, wait for the greeting, then talk turn after turn
 * (pauses and barge-ins per the pattern) until the hold time or the step's end; measures
 * at the caller side. Never throws: failures are in the result.
 */
export async function runCall(index: number, o: CallScriptOptions): Promise<CallResult> {
  const startedAt = now();
  const replyTimeout = o.replyTimeoutMs ?? 20_000;
  const result: CallResult = {
    index,
    callId: '',
    transport: o.transport.name,
    startedAt,
    durationMs: 0,
    outcome: 'ok',
    setupMs: null,
    turns: [],
    continuity: analyzeArrivals([]),
  };
  let session: CallerSession | undefined;
  const arrivals: number[] = [];
  const speech = new SpeechTracker();

  const wait = async (cond: () => boolean, timeoutMs: number, what: string, stoppable = true): Promise<boolean> => {
    const deadline = now() + timeoutMs;
    for (;;) {
      if (cond()) return true;
      const ended = session?.endedByGateway;
      if (ended) throw new Dropped(`dropped while waiting for ${what}: ${ended}`);
      if (stoppable && o.signal.aborted) throw new Stopped();
      if (now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  };
  const quiet = (s: CallerSession, since: number): boolean => {
    const rx = s.received;
    const t = now();
    return t - Math.max(rx[rx.length - 1]?.at ?? since, since) >= QUIET_MS || t - Math.max(speech.latest(rx) ?? since, since) >= SILENT_MS;
  };

  try {
    session = await o.transport.placeCall(o.url, { tenant: o.tenant, origin: o.origin });
    const s = session;
    result.callId = s.callId;
    if (!(await wait(() => firstSpeechAfter(s.received, 0) !== undefined, replyTimeout, 'greeting', false))) throw new Error('no greeting audio');
    const connectedAt = firstSpeechAfter(s.received, 0) as number;
    result.setupMs = connectedAt - startedAt;
    await wait(() => quiet(s, connectedAt), 60_000, 'greeting end');

    /**
     * The caller said `pcm` at `saidAt`: waits until it is all sent, then for the agent's reply.
     * Records the turn; resolves with the reply's first speech frame (undefined: no gap to measure).
     */
    const turnAfter = async (pcm: Int16Array, lang: Language, saidAt: number): Promise<{ tr: TurnResult; replyAt?: number }> => {
      const speechEnd = saidAt + pcm.length / 16 + 60;
      await wait(() => now() >= speechEnd, pcm.length / 16 + 1000, 'utterance sent');
      const lastSent = s.lastSpeechSentAt;
      const tr: TurnResult = { language: lang, gapMs: null };
      // A turn is recorded only once its wait is over: one cut short by the end of the step
      // (Stopped thrown from `wait`) is neither a reply nor a missing one.
      const rx = s.received;
      if ((rx[rx.length - 1]?.at ?? 0) >= lastSent - 3 * POLL_MS) {
        tr.overlapped = true;
        await wait(() => quiet(s, lastSent), 60_000, 'overlapping reply end');
        result.turns.push(tr);
        return { tr };
      }
      const replied = await wait(() => firstSpeechAfter(s.received, lastSent) !== undefined, replyTimeout, 'reply');
      result.turns.push(tr);
      if (!replied) return { tr };
      const replyAt = firstSpeechAfter(s.received, lastSent) as number;
      tr.gapMs = replyAt - lastSent;
      return { tr, replyAt };
    };

    const p = o.pattern;
    // Starting from the call index spreads the first barge-in language over the calls.
    let bargeIns = index;
    for (let turn = 0; now() - connectedAt < p.holdMs && (!p.maxTurns || turn < p.maxTurns); turn++) {
      const lang = p.languages[turn % p.languages.length] as Language;
      const options = o.utterances.turns[lang];
      const pcm = options[turn % options.length] as Int16Array;
      const saidAt = now();
      s.say(pcm);
      const { tr, replyAt } = await turnAfter(pcm, lang, saidAt);
      if (replyAt === undefined) continue;
      let lastReplyAt = replyAt;

      if (p.bargeInEvery > 0 && (turn + 1) % p.bargeInEvery === 0) {
        await wait(() => now() >= replyAt + p.bargeInAtMs, p.bargeInAtMs + 1000, 'barge-in point');
        // Still inside the reply's talkspurt (packets arriving, pauses between sentences included).
        const stillTalking = (s.received[s.received.length - 1]?.at ?? 0) >= now() - 3 * POLL_MS;
        if (stillTalking) {
          // Barge-in languages cycle on their own, so every language gets barge-ins whatever the period.
          const bargeLang = p.languages[bargeIns++ % p.languages.length] as Language;
          const barge = o.utterances.bargeIns[bargeLang];
          const bargeSaidAt = now();
          const onset = bargeSaidAt + leadingSilenceMs(barge);
          s.say(barge);
          const stopped = await wait(() => quiet(s, onset), 5000, 'agent to stop');
          // Barge-in reaction: caller speech onset → the last agent packet that still arrived.
          const rx = s.received;
          tr.bargeInMs = stopped ? Math.max(0, (rx[rx.length - 1]?.at ?? onset) - onset) : null;
          tr.bargeLanguage = bargeLang;
          // The barge-in utterance is a caller turn of its own: the agent answers it.
          const answer = await turnAfter(barge, bargeLang, bargeSaidAt);
          answer.tr.afterBargeIn = true;
          if (answer.replyAt === undefined) continue;
          lastReplyAt = answer.replyAt;
        }
      }
      await wait(() => quiet(s, lastReplyAt), 60_000, 'reply end');
      const pauseUntil = now() + p.pauseMs;
      await wait(() => now() >= pauseUntil, p.pauseMs + 1000, 'pause');
    }
  } catch (err) {
    if (err instanceof Dropped) {
      result.outcome = 'dropped';
      result.error = err.message;
    } else if (!(err instanceof Stopped)) {
      result.outcome = 'failed';
      result.error = err instanceof Error ? err.message : String(err);
    }
  } finally {
    if (session) {
      for (const f of session.received) arrivals.push(f.at);
      result.continuity = analyzeArrivals(arrivals);
      await session.close().catch(() => undefined);
    }
    result.durationMs = now() - startedAt;
  }
  return result;
}
