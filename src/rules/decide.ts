/** The pure decide step: facts in, decision and trace out. */
import { runRules, type EngineResult } from './engine.js';
import type { Facts } from './facts.js';
import { GUARDS, RULES } from './rules/index.js';

export function decide(facts: Facts): EngineResult {
  return runRules(facts, RULES, GUARDS);
}
