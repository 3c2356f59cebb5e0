import { describe, expect, it } from 'vitest';
import { SentenceChunker } from '../../src/pipeline/chunker.js';
import { resolvePipelineConfig } from '../../src/pipeline/config.js';
import { completeness, digitCount, endOfTurnWait, expectationFromDialog, expectationOf, isBackchannel } from '../../src/pipeline/endpointing.js';
import { deriveTurnFigures } from '../../src/pipeline/metrics.js';

function chunkAll(pieces: string[]): string[] {
  const c = new SentenceChunker();
  const out = pieces.flatMap((p) => c.push(p));
  const rest = c.end();
  return rest ? [...out, rest] : out;
}

describe('sentence chunker', () => {
  it('cuts the first piece at the first clause boundary, then whole sentences', () => {
    const tokens = 'Okay, thanks for the details. A technician can come tomorrow morning. Does nine work for you?'.split(/(?<= )/);
    expect(chunkAll(tokens)).toEqual(['Okay, thanks for the details.', 'A technician can come tomorrow morning.', 'Does nine work for you?']);
    expect(chunkAll('I understand, that sounds stressful. Please leave the house now.'.split(/(?<= )/))).toEqual([
      'I understand,',
      'that sounds stressful.',
      'Please leave the house now.',
    ]);
  });

  it('waits for the next character before cutting, and does not cut abbreviations or decimals', () => {
    const c = new SentenceChunker();
    expect(c.push('We are at 1234 St. Catherine')).toEqual([]);
    expect(c.push(' St. and the fee is 3.5 percent.')).toEqual([]);
    expect(c.push(' Anything else?')).toEqual(['We are at 1234 St. Catherine St. and the fee is 3.5 percent.']);
    expect(c.end()).toBe('Anything else?');
    expect(c.end()).toBeUndefined();
  });

  it('cuts a run-on text at a clause or space once it is too long', () => {
    const c = new SentenceChunker({ maxChars: 40 });
    const out = c.push('First a short lead, then ' + 'very '.repeat(20) + 'long words');
    expect(out.length).toBeGreaterThan(1);
    for (const p of out) expect(p.length).toBeLessThanOrEqual(41);
  });

  it('handles French punctuation', () => {
    expect(chunkAll(["D'accord, ", 'un technicien peut passer demain. ', 'Ça vous va?'])).toEqual([
      "D'accord, un technicien peut passer demain.",
      'Ça vous va?',
    ]);
  });
});

describe('end-of-turn decisions', () => {
  const cfg = resolvePipelineConfig({}).endpointing;

  it('reads what the agent asked', () => {
    expect(expectationOf('Is the water shut off?')).toBe('yes_no');
    expect(expectationOf('Thanks. What is the best number to call you back?')).toBe('phone');
    expect(expectationOf('What time works best for you?')).toBe('time');
    expect(expectationOf('Quel est votre numéro de téléphone?')).toBe('phone');
    expect(expectationOf('Est-ce que l’eau est coupée?')).toBe('yes_no');
    expect(expectationOf('Tell me what happened.')).toBe('open');
  });

  it('takes the dialog\'s own expectation first, reading its "number" as a phone number', () => {
    expect(expectationFromDialog('number', 'Where can we reach you?')).toBe('phone');
    expect(expectationFromDialog('number', 'How many floors does the house have?')).toBe('number');
    expect(expectationFromDialog('yes_no', 'Got it.')).toBe('yes_no');
    expect(expectationFromDialog('address', 'Is it a house or a condo?')).toBe('open');
    expect(expectationFromDialog(undefined, 'Is the water shut off?')).toBe('yes_no');
  });

  it('waits less when the answer is complete, more when the caller is mid-sentence', () => {
    expect(endOfTurnWait(cfg, 500, 'yes_no', 'Yes.')).toEqual({ waitMs: 200, reason: 'quick' });
    expect(endOfTurnWait(cfg, 500, 'yes_no', 'Oui')).toEqual({ waitMs: 200, reason: 'quick' });
    expect(endOfTurnWait(cfg, 500, 'phone', '514 555 0123')).toEqual({ waitMs: 200, reason: 'quick' });
    expect(endOfTurnWait(cfg, 500, 'phone', 'five one four')).toEqual({ waitMs: 1500, reason: 'incomplete' });
    expect(endOfTurnWait(cfg, 500, 'time', 'tomorrow at 9 am')).toEqual({ waitMs: 200, reason: 'quick' });
    expect(endOfTurnWait(cfg, 500, 'open', 'and then the')).toEqual({ waitMs: 1500, reason: 'incomplete' });
    expect(endOfTurnWait(cfg, 500, 'open', 'la fournaise est tombée en panne et')).toEqual({ waitMs: 1500, reason: 'incomplete' });
    expect(endOfTurnWait(cfg, 500, 'open', 'My furnace stopped working.')).toEqual({ waitMs: 500, reason: 'default' });
    expect(endOfTurnWait(cfg, 500, 'yes_no', 'well I think maybe')).toEqual({ waitMs: 500, reason: 'default' });
  });

  it('never makes the quick wait longer than the tenant base wait', () => {
    expect(endOfTurnWait(cfg, 150, 'yes_no', 'yes').waitMs).toBe(150);
  });

  it('counts spoken and written digits', () => {
    expect(digitCount('five one four, 555-0123')).toBe(10);
    expect(completeness('cinq un quatre cinq cinq cinq zéro un deux trois', 'phone')).toBe('complete');
  });

  it('tells backchannels from answers', () => {
    for (const t of ['mm-hmm', 'Okay.', 'oui', 'uh-huh', 'Yeah', "d'accord"]) expect(isBackchannel(t)).toBe(true);
    for (const t of ['okay but the basement is flooding', 'no wait', '', 'I need a plumber']) expect(isBackchannel(t)).toBe(false);
  });
});

describe('settings and figures', () => {
  it('fills defaults and refuses a bad override naming the field', () => {
    const c = resolvePipelineConfig({ budgets: { endOfTurnMs: 700 } });
    expect(c.budgets.endOfTurnMs).toBe(700);
    expect(c.budgets.llmFirstTokenMs).toBe(1200);
    expect(c.endpointing.quickWaitMs).toBe(200);
    expect(() => resolvePipelineConfig({ budgets: { sttFinalMs: -5 } })).toThrow(/budgets\.sttFinalMs/);
    expect(() => resolvePipelineConfig({ falseInterruptionMs: 'soon' })).toThrow(/falseInterruptionMs/);
  });

  it('derives the named latency figures from timestamps', () => {
    expect(
      deriveTurnFigures({ speechEnd: 1000, sttFinal: 1150, endOfTurn: 1500, llmStart: 1160, llmFirstToken: 1400, ttsFirstAudio: 1450, firstFrameOut: 1510 }),
    ).toEqual({ endOfUtteranceDelayMs: 500, transcriptionDelayMs: 150, llmTtftMs: 240, ttsTtfbMs: 50, endToEndMs: 510 });
    expect(deriveTurnFigures({ speechEnd: 0, fillerOut: 1300, firstFrameOut: 2500 }).endToEndMs).toBe(1300);
    expect(deriveTurnFigures({ speechEnd: 0 }).endToEndMs).toBeNull();
  });
});
