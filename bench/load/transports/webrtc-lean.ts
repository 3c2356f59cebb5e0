import { CallerClock, type CallerClockStats } from '../../clients/caller-clock.js';
import { LeanWebRtcCaller } from '../../clients/lean-caller.js';
import { PreEncodedAudio } from '../../clients/opus-frames.js';
import { createLeanRtpStats, type LeanRtpStats } from '../../../src/media/lean-rtp-path.js';
import type { CallerSession, CallerTransport, PlaceCallOptions, ReceivedAudio } from './types.js';

/**
 * WebRTC callers through the signaling WebSocket, lean: werift for ICE/DTLS/RTCP, RTP on
 * native SRTP (bench/clients/lean-caller.ts). Every caller of the process shares one
 * 20 ms send clock, the pre-encoded utterances and silence packet, and the lean-path
 * counters; received agent packets are classified speech/silence from their size.
 */
let shared: { audio: PreEncodedAudio; clock: CallerClock; stats: LeanRtpStats } | undefined;
const perProcess = (): NonNullable<typeof shared> => (shared ??= { audio: new PreEncodedAudio(), clock: new CallerClock(), stats: createLeanRtpStats() });

/** This process's lean-path counters (all its calls) and send-clock counters. */
export function leanProcessStats(): { rtp: Readonly<LeanRtpStats>; clock: CallerClockStats } {
  const { stats, clock } = perProcess();
  return { rtp: stats, clock: clock.stats };
}

class LeanSession implements CallerSession {
  private closed = false;

  constructor(private readonly caller: LeanWebRtcCaller) {}

  get callId(): string {
    return this.caller.callId;
  }

  get received(): readonly ReceivedAudio[] {
    return this.caller.received;
  }

  get lastSpeechSentAt(): number {
    return this.caller.lastSpeechSentAt;
  }

  get endedByGateway(): string | undefined {
    return this.closed ? undefined : this.caller.endedByGateway;
  }

  say(pcm: Int16Array): void {
    this.caller.say(pcm);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.caller.hangup();
    await this.caller.close();
  }
}

const webrtcLean: CallerTransport = {
  name: 'webrtc-lean',
  prepare(utterances: readonly Int16Array[]): void {
    const { audio } = perProcess();
    for (const pcm of utterances) audio.utterance(pcm);
  },
  async placeCall(url: string, opts: PlaceCallOptions): Promise<CallerSession> {
    const { audio, clock, stats } = perProcess();
    const caller = await LeanWebRtcCaller.place({ gateway: url.replace(/\/+$/, ''), tenant: opts.tenant, origin: opts.origin, audio, clock, stats });
    return new LeanSession(caller);
  },
};

export default webrtcLean;
