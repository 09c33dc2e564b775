/**
 * The rules in the order they are consulted. Order is policy: screening before all,
 * a trusted DMARC failure from a known address before anything reads the sender, engineers before customers (an engineer is never treated as a customer), questions
 * and commands before threading, threading before opening anything new.
 */
import type { Guard, Rule } from '../engine.js';
import { alreadyProcessedRule } from './already-processed.js';
import { commandRule } from './command.js';
import { contactIdRule } from './contact-id.js';
import { engineerRule } from './engineer.js';
import { forgedSenderRule } from './forged-sender.js';
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
  forgedSenderRule,
  engineerRule,
  contactIdRule,
  commandRule,
  replyRule,
  unknownSenderRule,
  newIncidentRule,
];

export const GUARDS: readonly Guard[] = [rateLimitGuard, machineConversationGuard];
