/**
 * Runs the ordered rules over the facts: the first rule with a verdict decides, then the
 * guards may turn that verdict into another (the rate limit on automatic answers). Every
 * rule consulted leaves a trace line, so "why did my mail do that?" has an answer.
 */
import { describeDecision, type Decision } from './decision.js';
import type { Facts } from './facts.js';

export interface TraceEntry {
  rule: string;
  saw: string;
  concluded: string;
}

export interface RuleOutcome {
  verdict: Decision | null;
  /** What the rule saw (kept in the trace). */
  note: string;
}

export interface Rule {
  name: string;
  run(facts: Facts): RuleOutcome;
}

/** Runs after a verdict; may replace it (e.g. a refusal over the hourly limit becomes silence). */
export interface Guard {
  name: string;
  run(facts: Facts, decision: Decision): RuleOutcome;
}

export interface EngineResult {
  decision: Decision;
  trace: TraceEntry[];
}

export function runRules(facts: Facts, rules: readonly Rule[], guards: readonly Guard[]): EngineResult {
  const trace: TraceEntry[] = [];
  let decision: Decision | null = null;
  for (const rule of rules) {
    const outcome = rule.run(facts);
    trace.push({ rule: rule.name, saw: outcome.note, concluded: outcome.verdict === null ? 'no verdict' : describeDecision(outcome.verdict) });
    if (outcome.verdict !== null) {
      decision = outcome.verdict;
      break;
    }
  }
  // The rule list ends with a catch-all, so this only guards against a broken list.
  decision ??= { kind: 'quarantine', reason: 'no rule reached a verdict' };
  for (const guard of guards) {
    const outcome = guard.run(facts, decision);
    trace.push({ rule: guard.name, saw: outcome.note, concluded: outcome.verdict === null ? 'kept' : describeDecision(outcome.verdict) });
    if (outcome.verdict !== null) decision = outcome.verdict;
  }
  return { decision, trace };
}
