// Tenant barge-in thresholds: defaults when absent, values kept, bad values refused naming the field.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseTenant, TenantConfigError } from '../../src/agent/tenant/loader.js';

const demoRaw = parse(readFileSync(new URL('../../config/tenants/demo.yaml', import.meta.url), 'utf8')) as Record<string, unknown>;
const withBargeIn = (bargeIn: unknown): Record<string, unknown> => ({ ...structuredClone(demoRaw), bargeIn });

function problems(raw: unknown): string[] {
  try {
    parseTenant(raw, 'demo.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(TenantConfigError);
    return (err as TenantConfigError).problems;
  }
  throw new Error('expected the tenant to be rejected');
}

describe('tenant bargeIn settings', () => {
  it('defaults to a 60 ms pause, 1000 ms confirmation, 6 dB margin and 20 dB return loss when absent', () => {
    const { bargeIn: _absent, ...raw } = demoRaw;
    expect(parseTenant(raw, 'demo.yaml').bargeIn).toEqual({ minSpeechMs: 60, confirmSpeechMs: 1000, echoMarginDb: 6, echoReturnLossDb: 20 });
  });

  it('keeps the values given and fills the rest', () => {
    expect(parseTenant(withBargeIn({ minSpeechMs: 80 }), 'demo.yaml').bargeIn).toEqual({ minSpeechMs: 80, confirmSpeechMs: 1000, echoMarginDb: 6, echoReturnLossDb: 20 });
    expect(parseTenant(withBargeIn({ echoReturnLossDb: 10, echoMarginDb: 3 }), 'demo.yaml').bargeIn).toEqual({ minSpeechMs: 60, confirmSpeechMs: 1000, echoMarginDb: 3, echoReturnLossDb: 10 });
  });

  it('refuses bad values, naming the field', () => {
    expect(problems(withBargeIn({ minSpeechMs: 5 })).join()).toMatch(/^bargeIn\.minSpeechMs: /);
    expect(problems(withBargeIn({ minSpeechMs: 120.5 })).join()).toMatch(/^bargeIn\.minSpeechMs: .*int/i);
    expect(problems(withBargeIn({ minSpeechMs: 5000 })).join()).toMatch(/^bargeIn\.minSpeechMs: /);
    expect(problems(withBargeIn({ confirmSpeechMs: 0 })).join()).toMatch(/^bargeIn\.confirmSpeechMs: /);
    expect(problems(withBargeIn({ echoMarginDb: -1 })).join()).toMatch(/^bargeIn\.echoMarginDb: /);
    expect(problems(withBargeIn({ echoReturnLossDb: 'loud' })).join()).toMatch(/^bargeIn\.echoReturnLossDb: /);
    expect(problems(withBargeIn({ minSpeech: 100 })).join()).toMatch(/bargeIn.*minSpeech/);
    expect(problems(withBargeIn(150)).join()).toMatch(/^bargeIn: /);
  });
});
