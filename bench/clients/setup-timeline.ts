/**
 * When each step of a synthetic call's setup happened at the caller, in ms since signaling
 * started (token request): a call the gateway ends before media carries its timeline in the
 * failure reason, so a results file says how far the handshake got (e.g. the gateway's
 * `connection_failed` while the caller's DTLS server was still connecting: the werift DTLS
 * client's failure on a repeated HelloVerifyRequest, see bench/README.md, known limits).
 */
export type SetupStep = 'welcome' | 'offer' | 'answer' | 'ice' | 'dtls' | 'rtp';

const LABELS: Record<SetupStep, string> = {
  welcome: 'welcome',
  offer: 'offer sent',
  answer: 'answer',
  ice: 'ICE connected',
  dtls: 'DTLS connected',
  rtp: 'first RTP',
};
const NOT_YET: Record<SetupStep, string> = {
  welcome: 'no welcome',
  offer: 'offer not sent',
  answer: 'no answer',
  ice: 'ICE not connected',
  dtls: 'DTLS not connected',
  rtp: 'no RTP received',
};
const ORDER: readonly SetupStep[] = ['welcome', 'offer', 'answer', 'ice', 'dtls', 'rtp'];

export class SetupTimeline {
  readonly #start: number;
  readonly #at = new Map<SetupStep, number>();
  /** The caller's DTLS role once known (`server` when the caller offered `actpass` and the gateway answered `active`). */
  dtlsRole: string | undefined;
  /** Terminal states seen on the caller's side (`ICE failed`, `DTLS failed`). */
  readonly failures: string[] = [];

  constructor(start: number = performance.now()) {
    this.#start = start;
  }

  /** Records the first time `step` happened (later repeats are ignored). */
  mark(step: SetupStep, now: number = performance.now()): void {
    if (!this.#at.has(step)) this.#at.set(step, Math.max(0, now - this.#start));
  }

  has(step: SetupStep): boolean {
    return this.#at.has(step);
  }

  /** e.g. `caller: welcome 9 ms, offer sent 31, answer 5210, ICE connected 5880; DTLS (server) not connected` (the first step not reached). */
  describe(): string {
    const done: string[] = [];
    let missing: SetupStep | undefined;
    for (const step of ORDER) {
      const at = this.#at.get(step);
      if (at === undefined) {
        missing ??= step;
        continue;
      }
      done.push(`${LABELS[step]} ${Math.round(at)}${done.length === 0 ? ' ms' : ''}`);
    }
    const parts = [`caller: ${done.length > 0 ? done.join(', ') : 'nothing after the token request'}`];
    if (missing !== undefined) parts.push(missing === 'dtls' && this.dtlsRole ? `DTLS (${this.dtlsRole}) not connected` : NOT_YET[missing]);
    if (this.failures.length > 0) parts.push(this.failures.join(', '));
    return parts.join('; ');
  }
}
