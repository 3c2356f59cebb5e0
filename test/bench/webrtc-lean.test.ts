import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallerClock } from '../../bench/clients/caller-clock.js';
import { LeanWebRtcCaller } from '../../bench/clients/lean-caller.js';
import { PreEncodedAudio, SENT_SPEECH_DBFS } from '../../bench/clients/opus-frames.js';
import { runCall } from '../../bench/load/call-script.js';
import { startLocalGateway, type LocalGateway } from '../../bench/load/local-gateway.js';
import { synthesizeUtterances } from '../../bench/load/talk-pattern.js';
import { loadTransport } from '../../bench/load/transports/registry.js';
import { leanProcessStats } from '../../bench/load/transports/webrtc-lean.js';
import { createLeanRtpStats } from '../../src/media/lean-rtp-path.js';
import { OpusDecoder16k } from '../../src/media/opus-codec.js';
import { EnergyTurnDetector } from '../../src/media/webrtc-energy-detector.js';

/**
 * The lean caller against a real local gateway (src/main.ts, offline providers: espeak-ng
 * speaks the agent): a whole bench call on the `webrtc-lean` transport, and the size-based
 * speech classifier checked against decoded levels of the agent audio that call received.
 */
describe('webrtc-lean caller against a local gateway', () => {
  let gw: LocalGateway;
  beforeAll(async () => {
    gw = await startLocalGateway();
  }, 90_000);
  afterAll(async () => {
    await gw?.stop();
  });

  it('gets the greeting and a reply, barges in, and its RTP runs on native SRTP outside werift', async () => {
    const transport = await loadTransport('webrtc-lean');
    const utterances = synthesizeUtterances(['en']);
    transport.prepare?.([...utterances.turns.en, utterances.bargeIns.en]);
    const r = await runCall(0, {
      transport,
      url: gw.url,
      tenant: 'demo',
      origin: gw.url,
      pattern: { languages: ['en'], pauseMs: 200, bargeInEvery: 1, bargeInAtMs: 700, holdMs: 60_000, maxTurns: 1 },
      utterances,
      signal: new AbortController().signal,
    });
    expect(r.error).toBeUndefined();
    expect(r.outcome).toBe('ok');
    expect(r.transport).toBe('webrtc-lean');
    expect(r.setupMs).toBeGreaterThan(0);
    expect(r.turns).toHaveLength(2);
    expect(r.turns[0]?.gapMs).toBeGreaterThan(0);
    expect(r.turns[0]?.bargeLanguage).toBe('en');
    const second = r.turns[1];
    expect((second?.gapMs ?? 0) > 0 || second?.overlapped === true).toBe(true);
    expect(r.continuity.talkspurts).toBeGreaterThanOrEqual(3);
    expect(r.continuity.packets).toBeGreaterThan(100);
    // Every RTP packet went through the lean path, none was refused or failed authentication.
    const { rtp, clock } = leanProcessStats();
    expect(rtp.switched).toBe(1);
    expect(rtp.refused).toBe(0);
    expect(rtp.rtpIn).toBe(r.continuity.packets);
    expect(rtp.rtpOut).toBeGreaterThan(r.durationMs / 20 / 2);
    expect(rtp.authFailed + rtp.malformed + rtp.replayed + rtp.sendFailed).toBe(0);
    expect(clock.ticks).toBeGreaterThanOrEqual(rtp.rtpOut);
  }, 90_000);

  it('classifies real agent audio like its decoded level where the bench reads it: talkspurt onsets and loud frames', async () => {
    const stats = createLeanRtpStats();
    const caller = await LeanWebRtcCaller.place({ gateway: gw.url, tenant: 'demo', origin: gw.url, audio: new PreEncodedAudio(), clock: new CallerClock(), stats, keepPayloads: true });
    const until = async (cond: () => boolean, what: string): Promise<void> => {
      const deadline = Date.now() + 30_000;
      while (!cond()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const now = (): number => performance.timeOrigin + performance.now();
    const quiet = (): boolean => caller.received.length > 0 && now() - (caller.received.at(-1)?.at ?? 0) > 600;
    try {
      await until(quiet, 'greeting');
      const greeting = caller.received.length;
      caller.say(synthesizeUtterances(['en']).turns.en[0] as Int16Array);
      await until(() => caller.received.length > greeting + 25 && quiet(), 'reply');
    } finally {
      caller.hangup();
      await caller.close();
    }
    expect(stats.switched).toBe(1);
    const rx = caller.received;
    expect(caller.payloads).toHaveLength(rx.length);
    expect(rx.length).toBeGreaterThan(150);

    // Decoded in arrival order by one decoder, as a listener would.
    const dec = new OpusDecoder16k();
    const loud = caller.payloads.map((p) => EnergyTurnDetector.levelDbfs(dec.decode(p) as Int16Array));
    let agree = 0;
    for (let i = 0; i < rx.length; i++) {
      const decoded = (loud[i] as number) > SENT_SPEECH_DBFS;
      if (decoded === rx[i]?.speech) agree++;
      // Clear speech is never taken for silence, nor digital silence for speech.
      if ((loud[i] as number) > -40) expect(rx[i]?.speech, `frame ${i} at ${loud[i]} dBFS`).toBe(true);
      if ((loud[i] as number) < -90) expect(rx[i]?.speech, `frame ${i} at ${loud[i]} dBFS`).toBe(false);
    }
    // Faint frames (-50 to -80 dBFS) in and at the end of talkspurts are where the two may differ.
    expect(agree / rx.length).toBeGreaterThan(0.85);

    // Setup and turn gap read the first speech frame of a talkspurt: the same frame either way.
    let start = 0;
    let spurts = 0;
    for (let i = 1; i <= rx.length; i++) {
      if (i < rx.length && (rx[i]?.at as number) - (rx[i - 1]?.at as number) < 200) continue;
      const byClass = rx.slice(start, i).findIndex((f) => f.speech);
      const byLevel = loud.slice(start, i).findIndex((db) => db > SENT_SPEECH_DBFS);
      expect(byClass, `talkspurt ${spurts} (packets ${start}–${i - 1})`).toBe(byLevel);
      spurts++;
      start = i;
    }
    expect(spurts).toBeGreaterThanOrEqual(2);
  }, 90_000);
});
