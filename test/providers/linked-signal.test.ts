import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { linkSignals } from '../../src/providers/linked-signal.js';

describe('linkSignals', () => {
  it('aborts with the reason of whichever parent aborts first, and then lets go of every parent', () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = linkSignals([a.signal, b.signal]);
    expect(linked.signal.aborted).toBe(false);
    expect(getEventListeners(a.signal, 'abort')).toHaveLength(1);
    b.abort(new Error('budget'));
    expect(linked.signal.aborted).toBe(true);
    expect((linked.signal.reason as Error).message).toBe('budget');
    expect(getEventListeners(a.signal, 'abort')).toHaveLength(0);
    expect(getEventListeners(b.signal, 'abort')).toHaveLength(0);
  });

  it('starts aborted when a parent already is, without listening to the others', () => {
    const a = new AbortController();
    a.abort('gone');
    const b = new AbortController();
    const linked = linkSignals([a.signal, b.signal]);
    expect(linked.signal.aborted).toBe(true);
    expect(linked.signal.reason).toBe('gone');
    expect(getEventListeners(b.signal, 'abort')).toHaveLength(0);
  });

  it('after dispose a long-lived parent holds no listener, and its abort no longer reaches the linked signal', () => {
    const call = new AbortController();
    for (let i = 0; i < 1000; i++) {
      const request = new AbortController();
      linkSignals([call.signal, request.signal]).dispose();
    }
    expect(getEventListeners(call.signal, 'abort')).toHaveLength(0);
    const linked = linkSignals([call.signal]);
    linked.dispose();
    linked.dispose();
    call.abort();
    expect(linked.signal.aborted).toBe(false);
  });
});
