/**
 * Reading what the sender wrote: subject without prefixes, the visible text (quotes and
 * signature removed), its first line, portal fields, commands and Contact ID requests.
 * Pure, shared by the pipeline and by tests that build facts by hand.
 */
import { stripQuoted } from '../mail/quotes.js';
import { findIncidentReferences, stripPrefixes } from '../mail/subject.js';
import { isContactIdRequest, parseCustomerCommand, parseEngineerCommand, type CustomerCommandRequest, type EngineerCommandRequest } from './text/commands.js';
import { firstLineOf, parsePortalFields, type PortalFields } from './text/fields.js';

export interface Interpretation {
  subjectBase: string;
  visibleText: string;
  firstLine: string;
  fields: PortalFields;
  command: CustomerCommandRequest | null;
  engineerCommand: EngineerCommandRequest | null;
  contactIdRequest: boolean;
  /** Our references in the subject (upper-cased), then one named by a status command. */
  references: string[];
}

export function interpret(subject: string, text: string, refPattern: RegExp): Interpretation {
  const stripped = stripPrefixes(subject);
  const subjectBase = stripped.base;
  const visibleText = stripQuoted(text, { forward: stripped.isForward }).visible.trim();
  const firstLine = firstLineOf(visibleText);
  const command = parseCustomerCommand(subjectBase, firstLine, visibleText, refPattern);
  const references = findIncidentReferences(subject, refPattern).map((r) => r.toUpperCase());
  if (command?.name === 'status' && command.reference !== null && !references.includes(command.reference)) references.unshift(command.reference);
  return {
    subjectBase, visibleText, firstLine, fields: parsePortalFields(visibleText), command,
    engineerCommand: parseEngineerCommand(firstLine), contactIdRequest: isContactIdRequest(subjectBase, firstLine), references,
  };
}
