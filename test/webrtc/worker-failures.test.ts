import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebRtcCaller } from '../../bench/clients/webrtc-caller.js';
import { SignalingClient } from './support/gateway-harness.js';
import { startMediaGateway, type MediaGateway } from './support/media-gateway.js';

const ORIGIN = 'https://acme-plumbing.example';

/** Capacity limits, a failing handler and a dead worker: each ends only what it must. */
describe('media worker pool under failure', () => {
  let gw: MediaGateway;
  beforeAll(async () => {
    // Handlers inline: tenant `crash` takes the media worker itself down.
    gw = await startMediaGateway(
      { workers: 1, maxCallsPerWorker: 2, handlerThread: 'inline' },
      `demo=${ORIGIN};crash=${ORIGIN};throw=${ORIGIN}`,
      new URL('./support/crash-handler.ts', import.meta.url),
    );
  });
  afterAll(async () => {
    await gw?.close();
  });

  const place = (tenant: string) => WebRtcCaller.place({ gateway: gw.base, tenant, origin: ORIGIN });
  const greeted = (c: WebRtcCaller, tenant: string) =>
    c.waitFor(() => c.messages.some((m) => m.type === 'transcript' && m.text === `hello from ${tenant}`), 15_000, `${tenant} greeting`);

  it('refuses a call over capacity with an error and close code 1013', async () => {
    const a = await place('demo');
    const b = await place('demo');
    try {
      await greeted(a, 'demo');
      await greeted(b, 'demo');
      const res = await fetch(`${gw.base}/api/v1/tokens`, { method: 'POST', headers: { origin: ORIGIN }, body: JSON.stringify({ tenant: 'demo' }) });
      const { token } = (await res.json()) as { token: string };
      const third = new SignalingClient(gw.base, token, ORIGIN);
      expect(await third.next('error')).toMatchObject({ code: 'over_capacity' });
      expect(await third.closed).toBe(1013);
    } finally {
      a.hangup();
      b.hangup();
      await a.close();
      await b.close();
    }
    await expect.poll(() => gw.gateway.pool.activeCalls()).toBe(0);
  });

  it('ends only the call whose handler throws', async () => {
    const ok = await place('demo');
    const bad = await place('throw');
    try {
      await bad.waitFor(() => bad.closeCode !== undefined, 15_000, 'failing call ended');
      expect(bad.messages).toContainEqual(expect.objectContaining({ type: 'state', state: 'ended', reason: 'handler_error' }));
      await greeted(ok, 'demo');
      expect(ok.closeCode).toBeUndefined();
    } finally {
      ok.hangup();
      await ok.close();
      await bad.close();
    }
  });

  it('ends the calls of a worker that dies, restarts it, and takes new calls', async () => {
    const doomed = await place('crash');
    try {
      await doomed.waitFor(() => doomed.closeCode !== undefined, 15_000, 'call of the dead worker ended');
      expect(doomed.messages).toContainEqual(expect.objectContaining({ type: 'state', state: 'ended', reason: 'worker_failed' }));
    } finally {
      await doomed.close();
    }
    await expect.poll(() => gw.gateway.pool.ready(), { timeout: 15_000 }).toBe(true);
    const next = await place('demo');
    try {
      await greeted(next, 'demo');
    } finally {
      next.hangup();
      await next.close();
    }
  });
});

/** Two media workers share one handler thread (the default on two cores): its death ends the calls of both, and both come back. */
describe('a handler thread shared by two media workers, under failure', () => {
  let gw: MediaGateway;
  beforeAll(async () => {
    gw = await startMediaGateway({ workers: 2, handlerThreads: 1 }, `demo=${ORIGIN};crash=${ORIGIN}`, new URL('./support/crash-handler.ts', import.meta.url));
  });
  afterAll(async () => {
    await gw?.close();
  });

  const place = (tenant: string) => WebRtcCaller.place({ gateway: gw.base, tenant, origin: ORIGIN });
  const greeted = (c: WebRtcCaller) =>
    c.waitFor(() => c.messages.some((m) => m.type === 'transcript' && m.text === 'hello from demo'), 15_000, 'demo greeting');
  const endedAs = (c: WebRtcCaller, reason: string) =>
    c.waitFor(() => c.messages.some((m) => m.type === 'state' && m.state === 'ended' && m.reason === reason), 15_000, `call ended as ${reason}`);

  it('ends the calls of both workers when their handler thread dies, then takes new calls on both', async () => {
    const calls = [await place('demo'), await place('demo')];
    try {
      for (const c of calls) await greeted(c);
      // The two calls went to the two workers (fewest calls first); the third takes the thread down.
      const doomed = await place('crash');
      calls.push(doomed);
      for (const c of calls) await endedAs(c, 'worker_failed');
    } finally {
      for (const c of calls) await c.close();
    }
    await expect.poll(() => gw.gateway.pool.ready() && gw.gateway.pool.activeCalls() === 0, { timeout: 15_000 }).toBe(true);
    const next = [await place('demo'), await place('demo')];
    try {
      for (const c of next) await greeted(c);
    } finally {
      for (const c of next) {
        c.hangup();
        await c.close();
      }
    }
  });
});
