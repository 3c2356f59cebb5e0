// The scenario suite on the rules engine: every scripted conversation must reach its expected intent,
// urgency, trade, slots and outcome. The pass rate is printed at the end.
import { afterAll, describe, expect, it } from 'vitest';
import { checkScenario, dialogText, loadScenarios, playScenario } from './support/scenarios.js';

const scenarios = loadScenarios();
let passed = 0;

describe('rules engine scenarios', () => {
  it('has at least 60 scenarios in English and French', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(60);
    expect(new Set(scenarios.map((s) => s.name)).size).toBe(scenarios.length);
  });

  for (const s of scenarios) {
    it(`${s.file}: ${s.name}`, async () => {
      const run = await playScenario(s);
      const bad = checkScenario(s, run);
      if (bad.length === 0) passed++;
      expect(bad, `${bad.join('\n')}\n--- dialog ---\n${dialogText(s, run)}`).toEqual([]);
    });
  }

  afterAll(() => {
    console.log(`rules engine scenario pass rate: ${passed}/${scenarios.length} (${((100 * passed) / scenarios.length).toFixed(1)}%)`);
  });
});
