/**
 * One agent reply on its way to the caller: segments of text with their
 * frames, written to the sink as they arrive. It can be held (speculative,
 * nothing leaves), paused (barge-in: the sink is flushed and the cursor goes
 * back to what was really sent, so a false interruption resumes where the
 * caller stopped hearing), or cancelled. It maps played frames to the text
 * heard.
 *
 * It holds only audio the caller has not heard yet: a frame the sink has sent can never be
 * rewound to (a flush drops only what is still queued), so it is let go at once; and the
 * producer waits (`room`) while the unsent audio reaches its lead, so speech synthesized
 * faster than real time stays in the provider's stream instead of in memory.
 */
import { FRAME_MS } from '../providers/audio/pcm.js';
import type { AgentAudioSink } from './types.js';

/** Rough speaking rate used to estimate a sentence's length before its audio is complete. */
const MS_PER_CHAR = 65;

interface Segment {
  kind: 'speech' | 'filler';
  text: string;
  frames: Int16Array[];
  /** Pre-encoded packets parallel to `frames` (a cached phrase), in `encoded.format`. */
  encoded?: PhrasePackets;
  complete: boolean;
  /** Frames the segment had when the reply ended and its audio was let go (see `letGo`). */
  released?: number;
}

/** Stands in for a frame the sink has sent: it is never written again. */
const SENT: Int16Array = new Int16Array(0);

/** Frames of a segment, whether its audio is still held or was let go. */
function frameCount(s: Segment): number {
  return s.released ?? s.frames.length;
}

/** A cached phrase's packets in the sink's format, one per frame. */
export interface PhrasePackets {
  format: string;
  packets: readonly Uint8Array[];
}

export type PlayoutState = 'held' | 'playing' | 'paused' | 'cancelled' | 'finished';

export class Playout {
  private readonly segments: Segment[] = [];
  private seg = 0; // cursor: next frame to write is segments[seg].frames[frame]
  private frame = 0;
  private written = 0;
  private producing = true;
  private st: PlayoutState = 'held';
  private finishTimer: NodeJS.Timeout | undefined;
  private firstSpeechWriteAt: number | undefined;
  /** Frames of every segment so far (not counting let-go segments after the end). */
  private total = 0;
  /** Frames before this position (counted over all segments) were sent and let go. */
  private letGoTo = 0;
  private letGoSeg = 0;
  private letGoFrame = 0;
  /** Producers waiting in `room`. */
  private readonly waiters = new Set<Waiter>();

  constructor(
    private readonly sink: AgentAudioSink,
    private readonly now: () => number,
    private readonly onFinished: () => void,
  ) {}

  get state(): PlayoutState {
    return this.st;
  }

  /** Time the first frame of the reply itself (not a filler) went to the sink. */
  get firstSpeechFrameAt(): number | undefined {
    return this.firstSpeechWriteAt;
  }

  /** 20 ms frames of PCM the reply holds: not yet sent (none once it has finished or was cancelled). */
  get heldFrames(): number {
    if (this.ended) return 0;
    this.letGoSent();
    return this.total - this.letGoTo;
  }

  /**
   * Resolves at once while the reply holds fewer than `lead` unsent frames; else once the
   * sink has sent it down to half the lead (so a paused stream is read on in runs of half
   * the lead, not a chunk at a time), the reply has ended, or `signal` aborts. A producer
   * awaits it before adding audio. While the reply is held or paused nothing is sent, so it
   * waits for the release, the resume or the end.
   */
  room(lead: number, signal?: AbortSignal): Promise<void> {
    if (this.hasRoom(lead) || signal?.aborted) return Promise.resolve();
    const resumeBelow = Math.floor(lead / 2) + 1;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(w.timer);
        this.waiters.delete(w);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const w: Waiter = { lead: resumeBelow, resolve: done, timer: undefined };
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(w);
      this.recheck(w);
    });
  }

  /** Whether any frame of this reply has gone to the sink. */
  get started(): boolean {
    return this.written > 0;
  }

  private get ended(): boolean {
    return this.st === 'cancelled' || this.st === 'finished';
  }

  /** Starts a speech segment; its frames follow through `addFrames`. */
  beginSegment(text: string): void {
    this.segments.push({ kind: 'speech', text, frames: [], complete: false, ...(this.ended ? { released: 0 } : {}) });
  }

  addFrames(frames: readonly Int16Array[]): void {
    const s = this.segments.at(-1);
    if (!s || frames.length === 0) return;
    // A reply that ended takes no more audio (synthesis may still be delivering): what was heard is settled.
    if (this.ended) return;
    s.frames.push(...frames);
    this.total += frames.length;
    this.pump();
  }

  /** A whole cached phrase as one complete segment, its frames sent from `encoded` when given. */
  addPhrase(text: string, frames: readonly Int16Array[], encoded?: PhrasePackets): void {
    if (this.ended) {
      this.segments.push({ kind: 'speech', text, frames: [], complete: true, released: frames.length });
      return;
    }
    this.segments.push({ kind: 'speech', text, frames: [...frames], ...(matching(frames, encoded) ? { encoded } : {}), complete: true });
    this.total += frames.length;
    this.pump();
  }

  endSegment(): void {
    const s = this.segments.at(-1);
    if (s) s.complete = true;
    this.pump();
  }

  /** Puts a filler before everything not yet sent, if nothing has been sent. Returns whether it did. */
  insertFiller(text: string, frames: readonly Int16Array[], encoded?: PhrasePackets): boolean {
    if (this.written > 0 || this.st === 'cancelled' || this.st === 'finished') return false;
    this.segments.splice(this.seg, 0, { kind: 'filler', text, frames: [...frames], ...(matching(frames, encoded) ? { encoded } : {}), complete: true });
    this.total += frames.length;
    this.frame = 0;
    this.pump();
    return true;
  }

  /** No more segments will come. */
  endOfReply(): void {
    this.producing = false;
    this.pump();
  }

  /** Lets a held (speculative) reply go out. */
  release(): void {
    if (this.st !== 'held') return;
    this.st = 'playing';
    this.pump();
    this.wake();
  }

  /** Barge-in: stop sound at once and rewind the cursor to what was really sent. */
  pause(): void {
    if (this.st !== 'playing') return;
    this.st = 'paused';
    this.rewind(this.sink.flush());
    clearTimeout(this.finishTimer);
  }

  resume(): void {
    if (this.st !== 'paused') return;
    this.st = 'playing';
    this.pump();
    this.wake();
  }

  /** Drops the reply; returns the text the caller heard. */
  cancel(): string {
    if (this.st === 'playing') this.rewind(this.sink.flush());
    if (this.st !== 'finished') this.st = 'cancelled';
    clearTimeout(this.finishTimer);
    this.letGo();
    this.wake();
    return this.heardText();
  }

  /** The speech text up to the cursor, cut back to a word boundary inside the current segment. */
  heardText(): string {
    const parts: string[] = [];
    for (let i = 0; i < this.segments.length && i <= this.seg; i++) {
      const s = this.segments[i]!;
      if (s.kind !== 'speech') continue;
      if (i < this.seg) {
        parts.push(s.text);
        continue;
      }
      const total = s.complete ? frameCount(s) : Math.max(frameCount(s), Math.ceil((s.text.length * MS_PER_CHAR) / FRAME_MS));
      if (total === 0 || this.frame === 0) break;
      if (this.frame >= total) {
        parts.push(s.text);
        break;
      }
      const chars = Math.floor((s.text.length * this.frame) / total);
      const cut = s.text.lastIndexOf(' ', chars);
      if (cut > 0) parts.push(s.text.slice(0, cut));
      break;
    }
    return parts.join(' ').trim();
  }

  /** The whole speech text of the reply so far. */
  fullText(): string {
    return this.segments.filter((s) => s.kind === 'speech').map((s) => s.text).join(' ').trim();
  }

  private rewind(dropped: number): void {
    let n = Math.min(dropped, this.written);
    this.written -= n;
    while (n > 0) {
      if (this.frame > 0) {
        const step = Math.min(n, this.frame);
        this.frame -= step;
        n -= step;
      } else if (this.seg > 0) {
        this.seg--;
        this.frame = frameCount(this.segments[this.seg]!);
      } else break;
    }
  }

  /**
   * A finished or cancelled reply never plays again: its PCM is let go (a turn keeps its
   * reply for the record after it ends), and only each segment's frame count stays for `heardText`.
   */
  private letGo(): void {
    for (const s of this.segments) {
      s.released = frameCount(s);
      s.frames = [];
      delete s.encoded;
    }
  }

  /**
   * Lets go of the frames the sink has sent (`written` less what it still queues): a flush
   * rewinds only over queued frames, so these are never written again. The segments keep
   * their lengths for `heardText`.
   */
  private letGoSent(): void {
    if (this.st === 'held') return;
    const sent = this.written - this.sink.pending();
    while (this.letGoTo < sent && this.letGoSeg < this.segments.length) {
      const s = this.segments[this.letGoSeg]!;
      if (this.letGoFrame < s.frames.length) {
        s.frames[this.letGoFrame++] = SENT;
        this.letGoTo++;
      } else if (s.complete && this.letGoSeg < this.seg) {
        this.letGoSeg++;
        this.letGoFrame = 0;
      } else break;
    }
  }

  private hasRoom(lead: number): boolean {
    return this.ended || this.heldFrames < lead;
  }

  /** Resolves the waiter if there is room; else, while playing, looks again once the excess should have been sent. */
  private recheck(w: Waiter): void {
    clearTimeout(w.timer);
    w.timer = undefined;
    if (this.hasRoom(w.lead)) w.resolve();
    else if (this.st === 'playing') {
      const excess = this.heldFrames - w.lead + 1;
      w.timer = setTimeout(() => this.recheck(w), excess * FRAME_MS);
    }
  }

  private wake(): void {
    for (const w of [...this.waiters]) this.recheck(w);
  }

  private pump(): void {
    if (this.st !== 'playing') return;
    while (this.seg < this.segments.length) {
      const s = this.segments[this.seg]!;
      while (this.frame < s.frames.length) {
        const packet = s.encoded?.packets[this.frame];
        this.sink.write(s.frames[this.frame]!, packet ? { format: s.encoded!.format, packet } : undefined);
        this.frame++;
        this.written++;
        if (s.kind === 'speech') this.firstSpeechWriteAt ??= this.now();
      }
      if (!s.complete) return;
      if (this.seg + 1 >= this.segments.length) break;
      this.seg++;
      this.frame = 0;
    }
    if (!this.producing && this.segments.every((s) => s.complete)) this.awaitDrain();
  }

  /** Finished once the sink has sent everything. */
  private awaitDrain(): void {
    clearTimeout(this.finishTimer);
    const pending = this.sink.pending();
    if (pending === 0) {
      this.st = 'finished';
      this.letGo();
      this.wake();
      this.onFinished();
      return;
    }
    this.finishTimer = setTimeout(() => {
      if (this.st === 'playing') this.awaitDrain();
    }, pending * FRAME_MS);
  }
}

interface Waiter {
  /** Resolves once the reply holds fewer unsent frames than this. */
  lead: number;
  resolve(): void;
  timer: NodeJS.Timeout | undefined;
}

/** Packets are used only when there is one per frame. */
function matching(frames: readonly Int16Array[], encoded: PhrasePackets | undefined): encoded is PhrasePackets {
  return encoded !== undefined && encoded.packets.length === frames.length;
}
