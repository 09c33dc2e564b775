/**
 * Screening verdicts first: our own mail, bounces, auto-replies and list traffic never
 * get an answer nor change an incident (architecture invariant 4). A bounce is still
 * recorded (failed recipients, timeline) by the act step.
 */
import type { Rule } from '../engine.js';

export const screenedRule: Rule = {
  name: 'screened',
  run(facts) {
    const s = facts.screen;
    switch (s.kind) {
      case 'clean':
        return { verdict: null, note: 'screening found a person’s mail' };
      case 'loop':
        return { verdict: { kind: 'ignore', reason: 'loop', detail: s.reason }, note: `loop: ${s.reason}` };
      case 'auto-reply':
        return { verdict: { kind: 'ignore', reason: 'auto-reply', detail: s.reason }, note: `auto-reply: ${s.reason}` };
      case 'list':
        return { verdict: { kind: 'ignore', reason: 'list', detail: s.reason }, note: `list: ${s.reason}` };
      case 'bounce':
        return {
          verdict: { kind: 'ignore', reason: 'bounce-recorded', detail: s.reason },
          note: `bounce (${s.severity}) for ${s.failures.map((f) => `${f.recipient} (${f.severity}: ${f.cause})`).join(', ') || 'no named recipient'}${s.outboxId === null ? '' : `, outbox row ${s.outboxId}`}: ${s.reason}`,
        };
    }
  },
};
