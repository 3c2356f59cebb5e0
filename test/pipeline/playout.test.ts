/**
 * Playout: what a reply keeps. A turn keeps its reply for the record after it ends, so a
 * finished or cancelled reply must let go of its audio and keep only what `heardText` needs.
 */
import { describe, expect, it } from 'vitest';
import { Playout } from '../../src/pipeline/playout.js';
import { HeldSink } from './held-sink.js';

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

  it('keeps the audio the caller has not heard, so a false barge-in resumes where the caller stopped hearing', () => {
    const sink = new HeldSink();
    const p = new Playout(sink, () => 0, () => undefined);
    p.beginSegment('Your visit is booked for Tuesday morning.');
    const audio = frames(50);
    p.addFrames(audio);
    p.endSegment();
    p.release();
    sink.send(20);
    p.pause();
    expect(p.heldFrames).toBe(30); // the 20 sent frames are let go: a flush never rewinds over them
    sink.written.length = 0;
    p.resume();
    expect(sink.queued).toBe(30); // the 30 frames the caller had not heard, written again
    expect(sink.written).toEqual(audio.slice(20));
    expect(sink.written.every((f, i) => f === audio[20 + i])).toBe(true);
    sink.send(15);
    p.pause();
    expect(p.heardText()).toMatch(/^Your visit is booked/);
    expect(p.heardText()).not.toMatch(/morning/);
  });
});

describe('Playout.room: synthesis waits while the reply holds its lead of unheard audio', () => {
  const settled = async (promise: Promise<void>): Promise<boolean> => {
    let done = false;
    void promise.then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    return done;
  };

  it('a playing reply waits until the sink has sent enough, and lets go of what it sent', async () => {
    const sink = new HeldSink();
    const p = new Playout(sink, () => 0, () => undefined);
    p.beginSegment('The technician is on the way.');
    p.release();
    p.addFrames(frames(40));
    expect(await settled(p.room(50))).toBe(true); // 40 unheard frames: under the lead of 50
    p.addFrames(frames(30));
    const waiting = p.room(50);
    expect(await settled(waiting)).toBe(false);
    sink.send(25);
    await new Promise((r) => setTimeout(r, 30));
    expect(await settled(waiting)).toBe(false); // 45 unheard frames: under the lead, but it reads on only at half of it
    sink.send(20);
    await waiting; // it looks again once the excess should have gone (45 frames of 20 ms after it began)
    expect(p.heldFrames).toBe(25);
  });

  it('a held reply waits for its release, and a cancel or an abort lets the producer go', async () => {
    const sink = new HeldSink();
    const p = new Playout(sink, () => 0, () => undefined);
    p.beginSegment('We can come tomorrow.');
    p.addFrames(frames(60));
    const beforeRelease = p.room(50);
    const aborted = new AbortController();
    const abortable = p.room(50, aborted.signal);
    expect(await settled(beforeRelease)).toBe(false);
    aborted.abort();
    expect(await settled(abortable)).toBe(true);
    expect(await settled(beforeRelease)).toBe(false);
    p.cancel();
    expect(await settled(beforeRelease)).toBe(true);
    expect(await settled(p.room(1))).toBe(true); // an ended reply always has room
  });
});
