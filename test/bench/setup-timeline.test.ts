import { describe, expect, it } from 'vitest';
import { SetupTimeline } from '../../bench/clients/setup-timeline.js';

describe('call setup timeline (failure reasons of calls ended before media)', () => {
  it('lists the steps reached with their times and names the first one missing, with the DTLS role', () => {
    const t = new SetupTimeline(1000);
    t.mark('welcome', 1009.4);
    t.mark('offer', 1031);
    t.mark('answer', 6210);
    t.mark('ice', 6880);
    t.dtlsRole = 'server';
    expect(t.describe()).toBe('caller: welcome 9 ms, offer sent 31, answer 5210, ICE connected 5880; DTLS (server) not connected');
  });

  it('keeps the first time of a step and reports terminal states', () => {
    const t = new SetupTimeline(0);
    t.mark('welcome', 5);
    t.mark('welcome', 50);
    t.mark('offer', 7);
    t.failures.push('caller ICE failed');
    expect(t.has('welcome')).toBe(true);
    expect(t.has('answer')).toBe(false);
    expect(t.describe()).toBe('caller: welcome 5 ms, offer sent 7; no answer; caller ICE failed');
  });

  it('says when nothing happened after the token request, and when only media is missing', () => {
    expect(new SetupTimeline(0).describe()).toBe('caller: nothing after the token request; no welcome');
    const t = new SetupTimeline(0);
    for (const [i, step] of (['welcome', 'offer', 'answer', 'ice', 'dtls'] as const).entries()) t.mark(step, (i + 1) * 10);
    expect(t.describe()).toBe('caller: welcome 10 ms, offer sent 20, answer 30, ICE connected 40, DTLS connected 50; no RTP received');
  });
});
