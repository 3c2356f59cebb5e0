import { Writable } from 'node:stream';
import type { MessagePort } from 'node:worker_threads';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandlerThreads } from '../../src/media/handler-threads.js';
import type { FromHandlerLink, HandlerLinkData, ToHandlerLink } from '../../src/media/handler-thread-messages.js';
import { createMetrics, type GatewayMetrics } from '../../src/observability/metrics.js';

const HANDLER = new URL('./support/crash-handler.ts', import.meta.url);

/** A media worker's end of a link, as the test drives it: messages in order, and whether the thread closed it. */
class LinkEnd {
  readonly got: FromHandlerLink[] = [];
  closed = false;
  constructor(readonly link: HandlerLinkData) {
    link.port.on('message', (m: FromHandlerLink) => this.got.push(m));
    link.port.on('close', () => (this.closed = true));
  }
  send(m: ToHandlerLink): void {
    this.link.port.postMessage(m);
  }
  async next<T extends FromHandlerLink['t']>(t: T, callId: string): Promise<Extract<FromHandlerLink, { t: T }>> {
    let found: FromHandlerLink | undefined;
    await expect.poll(() => (found = this.got.find((m) => m.t === t && 'callId' in m && m.callId === callId)), { timeout: 10_000 }).toBeDefined();
    return found as Extract<FromHandlerLink, { t: T }>;
  }
}

/** Two media workers' links to one handler thread (handler-threads.ts, handler-thread.ts), through real worker threads. */
describe('handler threads shared by media workers', () => {
  const logs: { msg: string; thread?: number }[] = [];
  const exits: { thread: number; workers: number[] }[] = [];
  const ports: MessagePort[] = [];
  let metrics: GatewayMetrics;
  let threads: HandlerThreads;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(JSON.parse(chunk.toString()) as { msg: string });
        done();
      },
    });
    metrics = createMetrics(false);
    threads = await HandlerThreads.start({
      count: 1,
      handlerModule: HANDLER.href,
      handlerOptions: {},
      nativeOpus: true,
      maxCallsPerLink: 4,
      metrics,
      log: pino({ level: 'warn' }, sink),
      onExit: (thread, workers) => exits.push({ thread, workers }),
    });
  });
  afterAll(async () => {
    for (const p of ports) p.close();
    await threads?.close();
  });

  const link = (worker: number): LinkEnd => {
    const end = new LinkEnd(threads.link(worker));
    ports.push(end.link.port);
    return end;
  };

  it('serves the calls of two workers in one thread, and ends only the calls of a worker that goes', async () => {
    expect(threads.size).toBe(1);
    const a = link(0);
    const b = link(1);
    a.send({ t: 'open', callId: 'a1', tenant: 'alpha', slot: 0 });
    b.send({ t: 'open', callId: 'b1', tenant: 'bravo', slot: 0 });
    await a.next('opened', 'a1');
    await b.next('opened', 'b1');
    b.send({ t: 'connected', callId: 'b1' });
    expect(await b.next('transcript', 'b1')).toMatchObject({ role: 'agent', text: 'hello from bravo' });
    // Replies go back on the link the call came from.
    expect(a.got.some((m) => m.t === 'transcript')).toBe(false);

    // Worker 0 goes (its port closes, as when its thread exits): the thread ends its call, and only its.
    a.link.port.close();
    await expect.poll(() => logs.map((l) => l.msg), { timeout: 10_000 }).toContain('media worker link 0 closed with 1 calls: they ended');
    b.send({ t: 'open', callId: 'b2', tenant: 'charlie', slot: 1 });
    await b.next('opened', 'b2');
    b.send({ t: 'connected', callId: 'b2' });
    expect(await b.next('transcript', 'b2')).toMatchObject({ text: 'hello from charlie' });
    b.send({ t: 'end', callId: 'b1', reason: 'caller_hangup' });
    expect(await b.next('closed', 'b1')).toMatchObject({ slot: 0 });

    // One heap reported, for the one thread.
    await expect.poll(async () => (await metrics.registry.metrics()).match(/thread="handler-\d+",kind="physical"/g) ?? [], { timeout: 5000 }).toEqual([
      'thread="handler-0",kind="physical"',
    ]);
  });

  it('starts a thread that died again, names the workers it served, and serves their new links', async () => {
    const b = link(1);
    b.send({ t: 'open', callId: 'boom', tenant: 'crash', slot: 0 });
    await b.next('opened', 'boom');
    b.send({ t: 'connected', callId: 'boom' });
    await expect.poll(() => exits, { timeout: 10_000 }).toEqual([{ thread: 0, workers: [0, 1] }]);
    await expect.poll(() => b.closed, { timeout: 10_000 }).toBe(true);
    expect(logs.map((l) => l.msg)).toContain('handler thread exited: restarting it and the media workers it served');

    const again = link(1);
    again.send({ t: 'open', callId: 'after', tenant: 'delta', slot: 0 });
    await again.next('opened', 'after');
    again.send({ t: 'connected', callId: 'after' });
    expect(await again.next('transcript', 'after')).toMatchObject({ text: 'hello from delta' });
  });

  it('refuses to start on a module without createCallHandler, with the reason', async () => {
    const start = HandlerThreads.start({
      count: 1,
      handlerModule: new URL('./support/no-handler.ts', import.meta.url).href,
      handlerOptions: {},
      nativeOpus: true,
      maxCallsPerLink: 1,
      metrics: createMetrics(false),
      log: pino({ level: 'silent' }),
      onExit: () => undefined,
    });
    await expect(start).rejects.toThrow(/does not export createCallHandler/);
  });
});
