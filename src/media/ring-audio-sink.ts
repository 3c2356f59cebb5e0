/**
 * A handler thread's audio sink for one call (the `AgentAudioSink` its handler writes to):
 * frames queue here and move into the call's agent ring as it has room, Opus-encoded on
 * the way (cached phrases keep their packets), so the media clock only sends them. The
 * ring holds 1.28 s; the handler thread tops it up on every 20 ms tick message.
 */
import { AgentAudioQueue } from './pacer.js';
import type { AgentRingWriter } from './agent-frame-ring.js';
import type { AgentFrameEncoder } from './native-opus-encoder.js';
import type { AgentAudioSink, EncodedFrame } from './webrtc-call-handler.js';

export class RingAudioSink implements AgentAudioSink {
  onDrained: (() => void) | undefined;
  private readonly queue = new AgentAudioQueue();
  private talking = false;
  /** Set at the call's end: the ring's slot may carry another call by then, so nothing more is written. */
  private closed = false;
  private readonly encode = (pcm: Int16Array, out: Uint8Array): number => this.encoder.encodeInto(pcm, out);

  constructor(
    private readonly ring: AgentRingWriter,
    private readonly encoder: AgentFrameEncoder,
  ) {}

  get encodedFormat(): string {
    return this.encoder.format;
  }

  write(pcm: Int16Array, encoded?: EncodedFrame): void {
    if (this.closed) return;
    this.queue.push(pcm, encoded && encoded.format === this.encoder.format ? encoded.packet : undefined);
    this.talking = true;
    this.fill(true);
  }

  pending(): number {
    if (this.closed) return 0;
    return this.queue.queued + this.ring.queued();
  }

  flush(): number {
    if (this.closed) return 0;
    this.talking = false;
    return this.queue.clear() + this.ring.flush();
  }

  /**
   * The tick's top-up. A trailing partial frame goes too once the ring is down to its last
   * frame: the pacer sends it zero-padded when nothing else is queued, and so it follows without a gap.
   */
  topUp(): void {
    if (this.closed) return;
    this.fill(this.ring.queued() > 1);
    if (this.talking && this.pending() === 0) {
      this.talking = false;
      this.onDrained?.();
    }
  }

  /** The call ended: drops what is queued and frees the encoder's native state now. */
  close(): void {
    this.closed = true;
    this.queue.clear();
    this.encoder.close?.();
  }

  /** Moves queued frames into the ring while it has room. */
  private fill(wholeOnly: boolean): void {
    for (let room = this.ring.space(); room > 0; room--) {
      const frame = this.queue.shift(wholeOnly);
      if (!frame) break;
      this.ring.push(frame, this.queue.lastPacket, this.encode);
    }
  }
}
