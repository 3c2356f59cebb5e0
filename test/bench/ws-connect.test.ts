import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { connectCycle, notWelcome, wsConnectRate } from '../../bench/api/ws-connect.js';

/**
 * The WebSocket connect loop of `bench api` counts a connect only when the server's first
 * message is `welcome`: a gateway refusing the call (an `error` message and a close) must
 * show as failures, not as cheap connects.
 */
describe('WebSocket connect loop', () => {
  let wss: WebSocketServer;
  let base = '';
  beforeAll(async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    base = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    wss.on('connection', (ws, req) => {
      const path = req.url ?? '';
      if (path.startsWith('/welcome')) ws.send(JSON.stringify({ v: 1, type: 'welcome', callId: 'c1', iceServers: [] }));
      else if (path.startsWith('/refuse')) {
        ws.send(JSON.stringify({ v: 1, type: 'error', code: 'over_capacity', message: 'the gateway cannot take this call now' }));
        ws.close(1013, 'over capacity');
      } else if (path.startsWith('/pong')) ws.send(JSON.stringify({ v: 1, type: 'pong' }));
      else ws.close(1008, 'no');
    });
  });
  afterAll(async () => {
    await new Promise<void>((r) => wss.close(() => r()));
  });

  it('tells a welcome from other first messages', () => {
    expect(notWelcome('{"v":1,"type":"welcome","callId":"x"}')).toBeUndefined();
    expect(notWelcome('{"v":1,"type":"error","code":"tenant_busy"}')).toBe('error tenant_busy');
    expect(notWelcome('{"v":1,"type":"state","state":"connecting"}')).toBe('message state');
    expect(notWelcome('hello')).toBe('message not JSON');
  });

  it('counts a welcome as a connect with its latency', async () => {
    const r = await connectCycle(`${base}/welcome`, 'http://example.test');
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.ms).toBeGreaterThan(0);
  });

  it('counts a refusal, another first message and a bare close as failures, by cause', async () => {
    expect(await connectCycle(`${base}/refuse`, undefined)).toEqual({ ok: false, cause: 'error over_capacity' });
    expect(await connectCycle(`${base}/pong`, undefined)).toEqual({ ok: false, cause: 'message pong' });
    expect(await connectCycle(`${base}/close`, undefined)).toEqual({ ok: false, cause: 'closed' });
  });

  it('reports failures by cause over a bounded loop', async () => {
    const urls = [`${base}/welcome`, `${base}/refuse`, `${base}/welcome`, `${base}/refuse`, `${base}/refuse`];
    const r = await wsConnectRate({ url: (i) => urls[i] as string, concurrency: 2, maxCount: urls.length, maxMs: 10_000 });
    expect(r.attempted).toBe(5);
    expect(r.connected).toBe(2);
    expect(r.failed).toBe(3);
    expect(r.failures).toEqual({ 'error over_capacity': 3 });
    expect(r.latenciesMs).toHaveLength(2);
  });
});
