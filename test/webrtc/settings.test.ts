import { describe, expect, it } from 'vitest';
import { loadWebRtcSettings } from '../../src/media/webrtc-settings.js';
import { loadSignalingSettings } from '../../src/signaling/signaling-settings.js';
import { parseTenantOrigins } from '../../src/signaling/tenant-origins.js';

describe('WebRTC and signaling settings', () => {
  it('reads STUN/TURN servers, the announced address and the port range', () => {
    const s = loadWebRtcSettings({
      STUN_URLS: 'stun:stun.example.org:3478',
      TURN_URLS: 'turn:turn.example.org:3478?transport=udp, turns:turn.example.org:5349',
      TURN_USERNAME: 'u',
      TURN_CREDENTIAL: 'p',
      ANNOUNCED_IP: '203.0.113.7',
      ICE_PORT_MIN: '40000',
      ICE_PORT_MAX: '40100',
      MEDIA_WORKERS: '3',
    });
    expect(s.iceServers).toEqual([
      { urls: ['stun:stun.example.org:3478'] },
      { urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'], username: 'u', credential: 'p' },
    ]);
    expect(s.announcedIp).toBe('203.0.113.7');
    expect(s.icePortRange).toEqual([40000, 40100]);
    expect(s.workers).toBe(3);
    expect(loadWebRtcSettings({}).workers).toBeGreaterThanOrEqual(1);
    expect(loadWebRtcSettings({}).youngGenerationMb).toEqual({ media: 16, handler: 0 });
    // One handler thread per two media workers by default, never more threads than workers.
    expect(s.handlerThreads).toBe(2);
    expect(loadWebRtcSettings({ MEDIA_WORKERS: '2' }).handlerThreads).toBe(1);
    expect(loadWebRtcSettings({ MEDIA_WORKERS: '1' }).handlerThreads).toBe(1);
    expect(loadWebRtcSettings({ MEDIA_WORKERS: '4', HANDLER_THREADS: '3' }).handlerThreads).toBe(3);
    expect(loadWebRtcSettings({ MEDIA_WORKERS: '2', HANDLER_THREADS: '8' }).handlerThreads).toBe(2);
    expect(loadWebRtcSettings({ MEDIA_WORKER_YOUNG_GEN_MB: '0', HANDLER_THREAD_YOUNG_GEN_MB: '32' }).youngGenerationMb).toEqual({ media: 0, handler: 32 });
  });

  it('refuses bad settings with a clear message', () => {
    expect(() => loadWebRtcSettings({ TURN_URLS: 'turn:x:3478' })).toThrow(/TURN_USERNAME/);
    expect(() => loadWebRtcSettings({ ANNOUNCED_IP: 'not-an-ip' })).toThrow(/ANNOUNCED_IP/);
    expect(() => loadWebRtcSettings({ ICE_PORT_MIN: '5000' })).toThrow(/ICE_PORT_MIN and ICE_PORT_MAX/);
    expect(() => loadWebRtcSettings({ MEDIA_WORKER_YOUNG_GEN_MB: '-4' })).toThrow(/MEDIA_WORKER_YOUNG_GEN_MB/);
    expect(() => loadWebRtcSettings({ HANDLER_THREADS: '0' })).toThrow(/HANDLER_THREADS/);
    expect(() => loadSignalingSettings({ CALL_TOKEN_SECRET: 'short' })).toThrow(/CALL_TOKEN_SECRET/);
    expect(() => parseTenantOrigins('demo')).toThrow(/tenant=origin/);
    expect(() => parseTenantOrigins('demo=ftp://x')).toThrow(/bad origin/);
  });

  it('matches origins per tenant, including the gateway itself', () => {
    const o = parseTenantOrigins('demo=self;acme=https://acme.example,http://localhost:3000;dev=*');
    expect(o.allows('demo', 'http://gw.example:8080', 'gw.example:8080')).toBe(true);
    expect(o.allows('demo', 'https://other.example', 'gw.example:8080')).toBe(false);
    expect(o.allows('acme', 'http://localhost:3000', 'gw')).toBe(true);
    expect(o.allows('acme', '', 'gw')).toBe(false);
    expect(o.allows('dev', 'https://anything.example', 'gw')).toBe(true);
    expect(o.allows('nobody', 'https://acme.example', 'gw')).toBe(false);
  });
});
