/**
 * The rules in the order they are consulted. Order is policy: screening before all,
 * engineers before customers (an engineer is never treated as a customer), questions
 * and commands before threading, threading before opening anything new.
 */
import type { Guard, Rule } from '../engine.js';
import { alreadyProcessedRule } from './already-processed.js';
import { commandRule } from './command.js';
import { contactIdRule } from './contact-id.js';
import { engineerRule } from './engineer.js';
import { newIncidentRule } from './new-incident.js';
import { noSenderRule } from './no-sender.js';
import { machineConversationGuard } from './machine-conversation.js';
import { rateLimitGuard } from './rate-limit.js';
import { replyRule } from './reply.js';
import { screenedRule } from './screened.js';
import { unknownSenderRule } from './unknown-sender.js';

export const RULES: readonly Rule[] = [
  alreadyProcessedRule,
  screenedRule,
  noSenderRule,
  engineerRule,
  contactIdRule,
  commandRule,
  replyRule,
  unknownSenderRule,
  newIncidentRule,
];

export const GUARDS: readonly Guard[] = [rateLimitGuard, machineConversationGuard];
