import { describe, expect, it } from 'vitest';
import { loadTransport, transportNames } from '../../bench/load/transports/registry.js';

describe('caller transport registry', () => {
  it('lists webrtc and loads it as a transport with placeCall', async () => {
    expect(transportNames()).toContain('webrtc');
    const t = await loadTransport('webrtc');
    expect(t.name).toBe('webrtc');
    expect(typeof t.placeCall).toBe('function');
  });

  it('lists webrtc-lean and loads it with its per-process preparation hook', async () => {
    expect(transportNames()).toEqual(expect.arrayContaining(['webrtc', 'webrtc-lean']));
    const t = await loadTransport('webrtc-lean');
    expect(t.name).toBe('webrtc-lean');
    expect(typeof t.prepare).toBe('function');
    const lean = await loadTransport('webrtc-lean');
    await expect(lean.placeCall('http://127.0.0.1:9', { tenant: 'demo', origin: 'http://127.0.0.1:9' })).rejects.toThrow();
  });

  it('refuses an unknown name with the known ones, including inherited object keys', async () => {
    await expect(loadTransport('sip')).rejects.toThrow(/unknown caller transport "sip"; known: webrtc/);
    await expect(loadTransport('toString')).rejects.toThrow(/unknown caller transport/);
  });

  it('a webrtc call to an address where no gateway listens fails with an error, not a hang', async () => {
    const t = await loadTransport('webrtc');
    await expect(t.placeCall('http://127.0.0.1:9', { tenant: 'demo', origin: 'http://127.0.0.1:9' })).rejects.toThrow();
  });
});
