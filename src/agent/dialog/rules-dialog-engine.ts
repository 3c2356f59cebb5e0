// The rules engine behind the DialogEngine interface: whole sentences, one chunk each.
import type { DialogEngine, EngineTurn } from '../engine.js';
import { rulesTurn } from './rules-engine.js';

export function createRulesEngine(): DialogEngine {
  return {
    name: 'rules',
    async *run(turn: EngineTurn) {
      turn.answeredBy = 'rules';
      let i = 0;
      for (const sentence of rulesTurn(turn.ctx, turn.ws, turn.text, turn.language)) {
        if (turn.signal?.aborted) return;
        // Pieces concatenate to the reply text, like LLM tokens do.
        yield `${i++ ? ' ' : ''}${sentence}`;
      }
    },
  };
}
