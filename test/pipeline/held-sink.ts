import type { AgentAudioSink } from '../../src/pipeline/types.js';

/** A sink that queues what it is written and sends only when the test says so (`send`), or on a clock (`start`). */
export class HeldSink implements AgentAudioSink {
  onDrained: (() => void) | undefined;
  queued = 0;
  readonly written: Int16Array[] = [];
  private timer: NodeJS.Timeout | undefined;

  write(frame: Int16Array): void {
    this.queued++;
    this.written.push(frame);
  }

  pending(): number {
    return this.queued;
  }

  flush(): number {
    const n = this.queued;
    this.queued = 0;
    return n;
  }

  send(n: number): void {
    this.queued = Math.max(0, this.queued - n);
  }

  /** Sends one queued frame every `tickMs`, like the media clock. */
  start(tickMs: number): void {
    this.timer = setInterval(() => this.send(1), tickMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
