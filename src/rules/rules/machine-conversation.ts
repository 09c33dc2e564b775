/**
 * Leaves the verdict as it is (what a machine wrote is still recorded) but says in the
 * trace when answers to the sender stop because the mail is one round of a loop with a
 * machine (ping-pong.ts); the act step carries that out.
 */
import type { Guard } from '../engine.js';
import { machineConversation } from '../ping-pong.js';

export const machineConversationGuard: Guard = {
  name: 'machine-conversation',
  run(facts) {
    const reason = machineConversation(facts);
    return { verdict: null, note: reason === null ? 'no sign of a loop with a machine' : `no automatic answer: ${reason}` };
  },
};
