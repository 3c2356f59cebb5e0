import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebRtcCaller, type ReceivedFrame } from '../../bench/clients/webrtc-caller.js';
import { FRAME_MS } from '../../src/media/opus-codec.js';
import { startMediaGateway, type MediaGateway } from './support/media-gateway.js';

const ORIGIN = 'https://acme-plumbing.example';
/** Dead air: an arrival gap this long on the steady call would be heard. Generous for loaded CI machines. */
const MAX_GAP_MS = 100;
/** Packets the steady call may miss over the window (edge rounding of the first and last arrival). */
const COUNT_TOLERANCE = 2;

const now = (): number => performance.timeOrigin + performance.now();

/** The longest arrival gap and the packet count against the count a 20 ms stream would have over the same span. */
function streamFigures(frames: ReceivedFrame[]): { maxGapMs: number; received: number; expected: number } {
  let maxGapMs = 0;
  let prev: number | undefined;
  for (const { at } of frames) {
    if (prev !== undefined) maxGapMs = Math.max(maxGapMs, at - prev);
    prev = at;
  }
  const first = frames[0]?.at ?? 0;
  const span = (prev ?? first) - first;
  return { maxGapMs, received: frames.length, expected: Math.round(span / FRAME_MS) + 1 };
}

/**
 * Issue 3, Media: "one slow call never delays the others' packets". A steady call and a
 * slow one (slow provider replies, a 10 s audio burst then a flush, ~2 ms of work per
 * frame: support/slow-call-handler.ts) share one media worker; the steady caller's
 * stream must stay whole and without dead air while the slow call is slow.
 */
describe('a slow call on the same media worker', () => {
  let gw: MediaGateway;
  beforeAll(async () => {
    gw = await startMediaGateway({ workers: 1 }, `steady=${ORIGIN};slow=${ORIGIN}`, new URL('./support/slow-call-handler.ts', import.meta.url));
  });
  afterAll(async () => {
    await gw?.close();
  });

  const place = (tenant: string) => WebRtcCaller.place({ gateway: gw.base, tenant, origin: ORIGIN });
  const said = (c: WebRtcCaller, prefix: string) => c.messages.find((m) => m.type === 'transcript' && m.text.startsWith(prefix));
  const ticksRun = async (): Promise<number> => (await gw.metrics.mediaTicks.get()).values.reduce((a, v) => a + v.value, 0);

  it("does not delay or drop the steady call's packets, and still plays its own audio", async () => {
    const steady = await place('steady');
    let slow: WebRtcCaller | undefined;
    try {
      await steady.waitFor(() => steady.received.length >= 25, 15_000, 'steady tone flowing');
      // The window opens before the slow call is placed: its ICE/DTLS setup shares the worker too.
      const ticksBefore = await ticksRun();
      const from = now();
      slow = await place('slow');
      const s = slow;
      await s.waitFor(() => said(s, 'slow: thinking'), 15_000, 'slow call connected');
      const done = await s.waitFor(() => said(s, 'slow: done'), 20_000, 'slow call played its audio');
      const to = now();

      // The steady call from the slow call's setup until it has played its last frame.
      const window = steady.received.filter((f) => f.at >= from && f.at <= to);
      const fig = streamFigures(window);
      console.info(
        `steady call over ${((to - from) / 1000).toFixed(1)} s: ${fig.received} packets received, ${fig.expected} expected, max arrival gap ${fig.maxGapMs.toFixed(1)} ms`,
      );
      expect(fig.expected).toBeGreaterThan(200);
      expect(fig.maxGapMs).toBeLessThan(MAX_GAP_MS);
      expect(fig.received).toBeGreaterThanOrEqual(fig.expected - COUNT_TOLERANCE);
      expect(said(steady, 'steady: underrun')).toBeUndefined();

      // The slow call itself: its burst was cut by the flush, and every frame it played reached its caller.
      const flushed = said(s, 'slow: flushed');
      const dropped = Number(flushed && flushed.type === 'transcript' ? flushed.text.split(' ').pop() : NaN);
      expect(dropped).toBeGreaterThan(0);
      const sent = done.type === 'transcript' ? Number(/sent=(\d+)/.exec(done.text)?.[1]) : NaN;
      expect(sent).toBeGreaterThan(150);
      const heard = await s.waitFor(() => {
        const n = s.loudFramesSince(from).length;
        return n >= sent - COUNT_TOLERANCE && n;
      }, 2000, 'slow call audio at its caller');
      console.info(`slow call: ${sent} frames played (${dropped} flushed), ${heard} received by its caller`);
      expect(heard).toBeLessThanOrEqual(sent);

      // The worker's media clock kept ticking (stats arrive once a second, so allow two intervals).
      const minTicks = Math.floor((to - from - 2000) / FRAME_MS);
      await expect.poll(async () => (await ticksRun()) - ticksBefore, { timeout: 3000 }).toBeGreaterThanOrEqual(minTicks);
      console.info(`media ticks counted over the window: ${(await ticksRun()) - ticksBefore} (at least ${minTicks} required)`);
      expect(steady.closeCode).toBeUndefined();
      expect(s.closeCode).toBeUndefined();
    } finally {
      steady.hangup();
      slow?.hangup();
      await steady.close();
      await slow?.close();
    }
  }, 30_000);
});
