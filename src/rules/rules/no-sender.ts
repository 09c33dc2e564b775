/** A mail without a usable From address cannot be answered nor attributed to anyone. */
import type { Rule } from '../engine.js';

export const noSenderRule: Rule = {
  name: 'no-sender',
  run(facts) {
    if (facts.sender.email !== null && facts.sender.email !== '') return { verdict: null, note: `From: ${facts.sender.email}` };
    return { verdict: { kind: 'ignore', reason: 'no-sender', detail: 'no usable From address' }, note: 'no usable From address' };
  },
};
