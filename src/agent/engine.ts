// The engine interface both receptionist engines implement.
import type { ActionContext } from './actions.js';
import type { WorkingState } from './dialog/working-state.js';
import type { Language } from './types.js';

export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

export interface EngineTurn {
  ctx: ActionContext;
  /** Working copy of the state; the engine mutates it freely, the session commits it only if the turn completes. */
  ws: WorkingState;
  text: string;
  language?: Language;
  signal?: AbortSignal;
  /** Committed conversation so far (without this turn). */
  history: readonly ChatTurn[];
  /** Set by the engine: which engine produced the reply (the LLM engine falls back to rules). */
  answeredBy?: 'rules' | 'llm';
}

export interface DialogEngine {
  readonly name: 'rules' | 'llm';
  /** Streams the reply's text pieces for one caller turn. */
  run(turn: EngineTurn): AsyncIterable<string>;
}
