import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wavBytes } from '../support/espeak.js';
import { callerSpeech } from '../voice/support/caller-speech.js';
import { startVoiceGateway, type VoiceGateway } from '../voice/support/voice-gateway.js';

/**
 * The whole click-to-call path in real headless Chromium: the demo page, the widget,
 * the fake microphone playing an espeak-ng caller, the gateway's media workers and
 * the speech pipeline answering on the offline providers (pocketsphinx, espeak-ng,
 * the rules receptionist).
 */
/** The demo tenant's greeting: English, because the offline recognizer only understands English. */
const GREETING = 'Mont-Royal Plumbing and Heating, hello! How can I help you today?';
const RATE = 48_000;
const LEAD_SILENCE_S = 7;

async function inboundEnergy(page: Page): Promise<number> {
  return page.evaluate(async () => {
    type Stat = { type: string; kind?: string; totalAudioEnergy?: number };
    type Pc = { getStats(): Promise<{ forEach(f: (s: Stat) => void): void }> };
    const w = (globalThis as unknown as { firstringWidget?: { pc: Pc | null } }).firstringWidget;
    if (!w?.pc) return 0;
    let energy = 0;
    (await w.pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') energy = s.totalAudioEnergy ?? 0;
    });
    return energy;
  });
}

async function until<T>(what: string, f: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('click-to-call in Chromium', () => {
  let gw: VoiceGateway;
  let browser: BrowserContext;
  let dir: string;
  let utteranceS = 0;
  beforeAll(async () => {
    gw = await startVoiceGateway();
    dir = mkdtempSync(path.join(os.tmpdir(), 'firstring-e2e-'));
    // Chromium loops the file: silence first (the greeting plays), the caller's words, then long silence.
    const words = callerSpeech('My basement is flooding.', RATE);
    utteranceS = words.length / RATE;
    const pcm = new Int16Array(RATE * LEAD_SILENCE_S + words.length + RATE * 25);
    pcm.set(words, RATE * LEAD_SILENCE_S);
    const wav = path.join(dir, 'caller.wav');
    writeFileSync(wav, wavBytes(pcm, RATE));
    browser = await launchChromium(path.join(dir, 'profile'), { fakeMicWav: wav });
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('greets the caller, hears them, replies, and records both turns', async () => {
    const page = await browser.newPage();
    await page.goto(`${gw.base}/`);
    await page.click('[data-firstring=call]');
    await until('talking state', async () => (await page.textContent('#state')) === 'talking');
    const callId = await page.evaluate(() => (globalThis as unknown as { firstringWidget: { callId: string } }).firstringWidget.callId);

    // 1. The greeting reaches the browser (its audio energy rises) and shows in the transcript.
    await until('greeting transcript', async () => (await page.locator('#transcript li[data-role=agent]').allTextContents()).some((t) => t.includes(GREETING)));
    const greetingEnergy = await until('greeting audio energy', async () => {
      const e = await inboundEnergy(page);
      return e > 0.05 ? e : undefined;
    });

    // 2. The gateway detects the caller's speech and end of turn; meanwhile the widget's level meter moves.
    let meterMax = 0;
    await until('caller turn', async () => {
      meterMax = Math.max(meterMax, Number(await page.getAttribute('[data-firstring-widget=demo] [role=meter]', 'aria-valuenow')));
      return (await page.locator('#transcript li[data-role=caller][data-final=true]').count()) > 0;
    }, 30_000);
    expect(meterMax).toBeGreaterThan(10);
    const atCallerTurn = await inboundEnergy(page);
    // The recognizer transcribed the caller's words.
    // The list item is "You · <time>" then the text itself.
    const heard = await page.locator('#transcript li[data-role=caller][data-final=true]').first().evaluate((li) => li.lastChild?.textContent ?? '');
    // (Words only; what pocketsphinx makes of espeak through Chromium's audio processing and Opus varies.)
    expect(heard).toMatch(/^[a-z' .-]+$/);
    expect(atCallerTurn).toBeGreaterThanOrEqual(greetingEnergy);

    // 3. The receptionist's reply and its audio arrive after it.
    await until('reply transcript', async () => (await page.locator('#transcript li[data-role=agent]').count()) >= 2, 30_000);
    await until('reply audio energy', async () => ((await inboundEnergy(page)) > atCallerTurn + 0.05 ? true : undefined));

    // 4. The call record holds the caller turn and the agent turns, in time order.
    await until('three turns recorded', async () => (gw.store.getCall(callId)?.turns.length ?? 0) >= 3);
    const record = gw.store.getCall(callId);
    expect(record?.tenantId).toBe('demo');
    const turns = record?.turns ?? [];
    expect(turns.slice(0, 3).map((t) => t.speaker)).toEqual(['agent', 'caller', 'agent']);
    expect(turns[0]?.text).toBe(GREETING);
    expect(turns[1]?.text).toBe(heard);
    expect(turns[2]?.text.length).toBeGreaterThan(0);
    const at = turns.map((t) => Date.parse(t.at));
    expect(at[0]).toBeLessThan(at[1] as number);
    expect(at[1]).toBeLessThan(at[2] as number);

    // Mute and hang up from the widget.
    await page.click('[data-firstring=mute]');
    expect(await page.getAttribute('[data-firstring=mute]', 'aria-pressed')).toBe('true');
    await page.click('[data-firstring=hangup]');
    await until('ended state', async () => (await page.textContent('#state')) === 'ended');
    const ended = await until('call ended on the gateway', async () => gw.recorder.ended(callId));
    expect(ended.reason).toMatch(/caller_hangup|signaling_closed/);
    expect(await gw.metrics.registry.metrics()).toMatch(/firstring_srtp_sessions_total\{impl="native"\} 1/);
    const turn = ended.latency.turns.find((t) => t.endToEndMs !== undefined);
    console.log(JSON.stringify({ utteranceS, greetingEnergy, atCallerTurn, heard, latency: ended.latency }));
    expect(turn?.endToEndMs).toBeGreaterThan(0);
    expect(ended.latency.firstPacketIn).toBeGreaterThan(ended.latency.acceptedAt);
    await page.close();
  });

  it('tells the caller when the microphone is denied', async () => {
    const page = await browser.newPage();
    await page.goto(`${gw.base}/`);
    await page.evaluate(() => {
      const md = (globalThis as unknown as { navigator: { mediaDevices: { getUserMedia: () => Promise<never> } } }).navigator.mediaDevices;
      md.getUserMedia = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
    });
    await page.click('[data-firstring=call]');
    await expect.poll(() => page.locator('[data-firstring=status]').textContent()).toContain('Microphone access was denied');
    expect(await page.textContent('#state')).toBe('ended');
    await page.close();
  });

  it('shows French labels on a French page and reports a denied token origin', async () => {
    const page = await browser.newPage();
    await page.goto(`${gw.base}/`);
    await page.evaluate(() => {
      type El = { lang: string; src: string; setAttribute(k: string, v: string): void; appendChild(e: El): void };
      const document = (globalThis as unknown as { document: { documentElement: El; body: El; createElement(t: string): El } }).document;
      document.documentElement.lang = 'fr';
      const s = document.createElement('script');
      s.src = '/widget.js';
      s.setAttribute('data-tenant', 'nobody');
      document.body.appendChild(s);
    });
    const fr = page.locator('[data-firstring-widget=nobody] [data-firstring=call]');
    await expect.poll(() => fr.textContent()).toBe('Appelez-nous');
    await fr.click();
    await expect.poll(() => page.locator('[data-firstring-widget=nobody] [data-firstring=status]').textContent()).toContain("L'appel n'a pas pu");
    await page.close();
  });
});
