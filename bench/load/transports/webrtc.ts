import { WebRtcCaller } from '../../clients/webrtc-caller.js';
import type { CallerSession, CallerTransport, PlaceCallOptions, ReceivedAudio } from './types.js';

/** Frames louder than this (dBFS) count as agent speech; the demo and TTS audio sit far above it. */
const SPEECH_DBFS = -50;

/**
 * WebRTC callers through the signaling WebSocket, on bench/clients' werift caller.
 * That client decodes every received packet to a level; the received list here keeps
 * only arrival time and a speech flag.
 */
class WebRtcSession implements CallerSession {
  private closed = false;
  private readonly view: ReceivedAudio[] = [];
  private seen = 0;

  constructor(private readonly caller: WebRtcCaller) {}

  get callId(): string {
    return this.caller.callId;
  }

  get received(): readonly ReceivedAudio[] {
    const src = this.caller.received;
    for (; this.seen < src.length; this.seen++) {
      const f = src[this.seen];
      if (f) this.view.push({ at: f.at, speech: f.dbfs > SPEECH_DBFS });
    }
    // The client keeps its own list; drop what was copied so a long call does not hold both.
    if (this.seen > 2048) {
      src.splice(0, this.seen);
      this.seen = 0;
    }
    return this.view;
  }

  get lastSpeechSentAt(): number {
    return this.caller.lastSpeechSent;
  }

  get endedByGateway(): string | undefined {
    if (this.closed) return undefined;
    for (const m of this.caller.messages) if (m.type === 'state' && m.state === 'ended') return m.reason ?? 'ended';
    if (this.caller.closeCode !== undefined) return `socket closed ${this.caller.closeCode}`;
    return undefined;
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

const webrtc: CallerTransport = {
  name: 'webrtc',
  async placeCall(url: string, opts: PlaceCallOptions): Promise<CallerSession> {
    const caller = await WebRtcCaller.place({ gateway: url.replace(/\/+$/, ''), tenant: opts.tenant, origin: opts.origin });
    return new WebRtcSession(caller);
  },
};

export default webrtc;
