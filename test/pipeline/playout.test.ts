/**
 * Playout: what a reply keeps. A turn keeps its reply for the record after it ends, so a
 * finished or cancelled reply must let go of its audio and keep only what `heardText` needs.
 */
import { describe, expect, it } from 'vitest';
import { Playout } from '../../src/pipeline/playout.js';
import type { AgentAudioSink } from '../../src/pipeline/types.js';

/** A sink that holds written frames until the test "sends" them. */
class HeldSink implements AgentAudioSink {
  onDrained: (() => void) | undefined;
  queued = 0;
  write(): void {
    this.queued++;
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
}

const frames = (n: number) => Array.from({ length: n }, () => new Int16Array(320));

describe('Playout', () => {
  it('lets go of a cancelled reply’s audio and still tells what the caller heard', () => {
    const sink = new HeldSink();
    const p = new Playout(sink, () => 0, () => undefined);
    p.beginSegment('We open at eight.');
    p.addFrames(frames(40));
    p.endSegment();
    p.beginSegment('Emergencies are answered at night.');
    p.addFrames(frames(60));
    p.endSegment();
    p.release();
    expect(p.heldFrames).toBe(100);
    sink.send(70); // the first segment and 30 of 60 frames of the second reached the caller
    p.pause();
    const heardAtPause = p.heardText();
    expect(heardAtPause).toMatch(/^We open at eight\. Emergencies/);
    expect(heardAtPause).not.toMatch(/night/);
    const heard = p.cancel();
    expect(heard).toBe(heardAtPause);
    expect(p.heldFrames).toBe(0);
    // Synthesis still delivering after the cancel is not kept either.
    p.addFrames(frames(20));
    expect(p.heldFrames).toBe(0);
    expect(p.heardText()).toBe(heard);
    expect(p.fullText()).toBe('We open at eight. Emergencies are answered at night.');
  });

  it('lets go of a finished reply’s audio once the sink has sent it', () => {
    const sink = new HeldSink();
    let finished = 0;
    const p = new Playout(sink, () => 0, () => finished++);
    p.beginSegment('A technician will call you back within the hour.');
    p.addFrames(frames(50));
    p.endSegment();
    p.release();
    sink.send(50);
    p.endOfReply();
    expect(finished).toBe(1);
    expect(p.state).toBe('finished');
    expect(p.heldFrames).toBe(0);
    expect(p.heardText()).toBe('A technician will call you back within the hour.');
  });

  it('keeps a playing reply’s audio, so a false barge-in resumes where the caller stopped hearing', () => {
    const sink = new HeldSink();
    const p = new Playout(sink, () => 0, () => undefined);
    p.beginSegment('Your visit is booked for Tuesday morning.');
    p.addFrames(frames(50));
    p.endSegment();
    p.release();
    sink.send(20);
    p.pause();
    expect(p.heldFrames).toBe(50);
    p.resume();
    expect(sink.queued).toBe(30); // the 30 frames the caller had not heard, written again
  });
});
