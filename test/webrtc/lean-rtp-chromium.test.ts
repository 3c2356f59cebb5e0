/**
 * The lean RTP path against real Chromium: the gateway's WebRtcTransport (RTP_PATH=lean)
 * answers a headless Chromium peer connection whose microphone is an espeak-ng utterance
 * (fake capture device); the transport sends espeak-ng speech encoded to Opus. Every RTP
 * packet each way must cross the lean path (werift's RTP stack sees none), Chromium must
 * play the agent's audio (inbound-rtp audio energy), and the caller's Opus must decode to
 * speech at the gateway.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAME_SAMPLES, OpusDecoder16k, OpusEncoder16k, RTP_TICKS_PER_FRAME } from '../../src/media/opus-codec.js';
import type { MediaPacket } from '../../src/media/call-transport.js';
import { WebRtcTransport, type IceCandidateInit } from '../../src/media/webrtc-transport.js';
import type { WebRtcSettings } from '../../src/media/webrtc-settings.js';
import * as nativeSrtp from '../../src/media/werift-native-srtp.js';
import * as engineModule from '../../src/media/media-engine.js';
import { WorkerJitterEngine, type EngineCall, type FrameAnalysis } from '../../src/media/webrtc-jitter-engine.js';
import { speak, wavBytes } from '../support/espeak.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const settings: WebRtcSettings = {
  iceServers: [],
  announcedIp: undefined,
  icePortRange: undefined,
  workers: 1,
  rtpTimeoutMs: 5000,
  maxCallsPerWorker: 1,
  srtp: 'native',
  jitterEngine: 'off',
  rtpPath: 'lean',
};

interface BrowserStats {
  packetsReceived: number;
  totalAudioEnergy: number;
  packetsSent: number;
  /** what the gateway's receiver reports told Chromium about its own stream (remote-inbound-rtp), -1 if none yet */
  remotePacketsLost: number;
}

/**
 * The caller's page (served from http://localhost, a secure context, so getUserMedia
 * works): one RTCPeerConnection with the fake microphone, the remote track on an
 * <audio autoplay> element (Chromium reports no received audio energy without a sink).
 */
const PAGE = `<!doctype html><audio id="remote" autoplay></audio><script>
window.startCall = async () => {
  const pc = new RTCPeerConnection();
  window.pc = pc;
  const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
  for (const t of mic.getAudioTracks()) pc.addTrack(t, mic);
  pc.ontrack = (e) => { document.getElementById('remote').srcObject = e.streams[0] || new MediaStream([e.track]); };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
    setTimeout(resolve, 3000);
  });
  return pc.localDescription.sdp;
};
window.callStats = async () => {
  const out = { packetsReceived: 0, totalAudioEnergy: 0, packetsSent: 0, remotePacketsLost: -1 };
  (await window.pc.getStats()).forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'audio') { out.packetsReceived = s.packetsReceived || 0; out.totalAudioEnergy = s.totalAudioEnergy || 0; }
    if (s.type === 'outbound-rtp' && s.kind === 'audio') out.packetsSent = s.packetsSent || 0;
    if (s.type === 'remote-inbound-rtp' && s.kind === 'audio') out.remotePacketsLost = s.packetsLost;
  });
  return out;
};
</script>`;

/** Chromium's own view of the call (RTCPeerConnection.getStats, inbound and outbound audio). */
function browserStats(page: Page): Promise<BrowserStats> {
  return page.evaluate('window.callStats()') as Promise<BrowserStats>;
}

describe('lean RTP path with real Chromium', () => {
  let browser: BrowserContext;
  let dir: string;
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    dir = mkdtempSync(path.join(os.tmpdir(), 'firstring-lean-'));
    const wav = path.join(dir, 'caller.wav');
    const words = speak('Hello, my water heater is leaking.', 'en-us', 16_000);
    writeFileSync(wav, wavBytes(words, 16_000));
    browser = await launchChromium(path.join(dir, 'profile'), { fakeMicWav: wav });
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('plays the agent audio in Chromium and hears the caller, every RTP packet on the lean path', async () => {
    const page = await browser.newPage();
    await page.goto(`http://localhost:${port}/`);
    const offer = (await page.evaluate('window.startCall()')) as string;

    const candidates: IceCandidateInit[] = [];
    const gw = new WebRtcTransport(settings, (c) => candidates.push(c), nativeSrtp);
    const received: MediaPacket[] = [];
    gw.onPacket = (p) => received.push({ ...p, payload: Buffer.from(p.payload) });
    let connected = false;
    gw.onConnected = () => (connected = true);
    let pump: NodeJS.Timeout | undefined;
    try {
      const answer = await gw.answer(offer);
      await page.evaluate(`window.pc.setRemoteDescription({ type: 'answer', sdp: ${JSON.stringify(answer)} })`);
      let given = 0;
      await until('connected', async () => {
        for (const c of candidates.splice(given)) {
          await page.evaluate(`window.pc.addIceCandidate(${JSON.stringify(c)})`);
        }
        given = candidates.length;
        return connected;
      });
      expect(gw.rtpPath).toBe('lean');

      // The agent speaks: espeak-ng speech, Opus-encoded, one packet every 20 ms.
      const pcm = speak('Thanks for calling, how can I help you today?', 'en-us', 16_000);
      const encoder = new OpusEncoder16k({ complexity: 5 });
      const frames = Math.floor(pcm.length / FRAME_SAMPLES);
      let sent = 0;
      pump = setInterval(() => {
        if (sent >= frames) return;
        gw.send(encoder.encode(pcm.subarray(sent * FRAME_SAMPLES, (sent + 1) * FRAME_SAMPLES)), (sent * RTP_TICKS_PER_FRAME) >>> 0, sent === 0);
        sent++;
      }, 20);
      await until('agent speech sent', () => sent >= frames, 30_000);
      await until('agent audio played in Chromium', async () => {
        const s = await browserStats(page);
        return s.packetsReceived >= frames - 2 && s.totalAudioEnergy > 0.01;
      });

      // Chromium received what the lean path sent, and werift's sender sent nothing.
      const lean = gw.leanStats;
      const bridge = gw.srtpBridge?.stats;
      expect(lean?.rtpOut).toBe(frames);
      expect(bridge?.rtpSent).toBe(0);
      const stats = await browserStats(page);
      expect(stats.packetsReceived).toBeLessThanOrEqual(frames);

      // The caller's microphone reached the gateway on the lean path only, and decodes to speech.
      expect(received.length).toBeGreaterThan(50);
      expect(lean?.rtpIn).toBe(received.length);
      expect(bridge?.rtpReceived).toBe(0);
      expect(lean).toMatchObject({ authFailed: 0, replayed: 0, malformed: 0, sendFailed: 0, sendBlocked: 0 });
      expect(stats.packetsSent).toBeGreaterThanOrEqual(received.length - 5);
      const decoder = new OpusDecoder16k();
      let peak = 0;
      for (const p of received) {
        const frame = decoder.decode(p.payload);
        if (frame) for (const v of frame) peak = Math.max(peak, Math.abs(v));
      }
      expect(peak).toBeGreaterThan(2000); // espeak-ng speech, not silence
      // werift still answers Chromium's ICE checks and takes its RTCP.
      expect(lean?.stunIn).toBeGreaterThan(0);
      await until('Chromium RTCP at werift', () => (bridge?.rtcpReceived ?? 0) > 0);
      expect(bridge?.rtcpReceived).toBe(lean?.rtcpIn);
      // Chromium took werift's receiver reports built from the lean path's statistics (RFC 3550 §6.4.2).
      await until('a receiver report about the caller stream in Chromium', async () => (await browserStats(page)).remotePacketsLost >= 0, 5000);
      expect((await browserStats(page)).remotePacketsLost).toBe(0);
    } finally {
      if (pump) clearInterval(pump);
      gw.close('test_end');
      await page.close();
    }
  });

  it('with the media engine reading the socket: RTP into its jitter buffer natively, ICE and RTCP still through werift', async () => {
    const page = await browser.newPage();
    await page.goto(`http://localhost:${port}/`);
    const offer = (await page.evaluate('window.startCall()')) as string;

    const candidates: IceCandidateInit[] = [];
    const gw = new WebRtcTransport({ ...settings, jitterEngine: 'native', rtpReceive: 'engine' }, (c) => candidates.push(c), nativeSrtp);
    const jsPackets: MediaPacket[] = [];
    gw.onPacket = (p) => jsPackets.push(p);
    // The worker's side of the engine: frames played out natively, the socket's RTP counts, the datagrams for werift.
    let frames = 0;
    let peak = 0;
    let receivedTicks = 0;
    const call: EngineCall = {
      decoder: new OpusDecoder16k(),
      agentFrame: () => undefined,
      onFrame: (frame: Int16Array, a: FrameAnalysis) => {
        if (a.concealed) return;
        frames++;
        for (const v of frame) peak = Math.max(peak, Math.abs(v));
      },
      onReceived: (packets, bytes) => {
        receivedTicks++;
        gw.engineReceived(packets, bytes);
      },
      onDatagram: (d) => gw.deliverDatagram(d),
    };
    const engine = new WorkerJitterEngine(engineModule, 2);
    const slot = engine.attach(call) as number;
    gw.nativeReceive = {
      attach: (fd, handle) => engine.attachSocket(slot, fd, handle),
      detach: () => engine.detachSocket(slot),
      stats: () => engine.receiveStats(slot),
    };
    const ticker = setInterval(() => engine.tick(performance.now()), 20);
    let connected = false;
    gw.onConnected = () => (connected = true);
    try {
      const answer = await gw.answer(offer);
      await page.evaluate(`window.pc.setRemoteDescription({ type: 'answer', sdp: ${JSON.stringify(answer)} })`);
      let given = 0;
      await until('connected', async () => {
        for (const c of candidates.splice(given)) await page.evaluate(`window.pc.addIceCandidate(${JSON.stringify(c)})`);
        given = candidates.length;
        return connected;
      });
      expect(gw.rtpPath).toBe('lean');
      const lean = gw.leanStats;
      const bridge = gw.srtpBridge?.stats;
      await until('the engine reads the socket', () => lean?.engineReceive === 1);
      // The caller's microphone (espeak-ng speech) reaches the engine's jitter buffer and plays out as speech.
      await until('caller speech played out by the engine', () => frames > 100 && peak > 2000, 20_000);
      const st = engine.receiveStats(slot);
      expect(st?.rtp).toBe(lean?.rtpIn);
      expect(st).toMatchObject({ authFailed: 0, replayed: 0, malformed: 0, truncated: 0, readErrors: 0 });
      expect(receivedTicks).toBeGreaterThan(50);
      expect(jsPackets).toHaveLength(0); // nothing went through Node's socket reads
      expect(bridge?.rtpReceived).toBe(0);
      // With libuv's reads stopped, Chromium's ICE checks and RTCP reach werift only through the engine.
      await until('Chromium STUN and RTCP handed back to werift', () => (lean?.stunIn ?? 0) > 0 && (bridge?.rtcpReceived ?? 0) > 0, 10_000);
      expect(st?.handedBack).toBeGreaterThan(0);
      // werift's receiver reports carry the engine's statistics of the caller stream (RFC 3550 §6.4.2).
      await until('a receiver report about the caller stream in Chromium', async () => (await browserStats(page)).remotePacketsLost >= 0, 5000);
      expect((await browserStats(page)).remotePacketsLost).toBe(0);
      expect(connected && gw.rtpPath).toBe('lean');
    } finally {
      clearInterval(ticker);
      gw.close('test_end');
      await page.close();
    }
    // Closing the call takes the socket back from the engine.
    expect(engine.receiveStats(slot)).toBeUndefined();
  });
});
