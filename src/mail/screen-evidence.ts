/**
 * Small readers of screening evidence shared by screen.ts and screen-bounce.ts: header
 * tables, the sender a message came from (null reverse-path, delivery systems) and the
 * subject without list tags. Each returns the evidence as a short printable line.
 */
import { allHeaders, firstHeader, type HeaderMap } from './headers.js';
import { DAEMON_NAME, DAEMON_SENDER } from './bounce-signals.js';
import type { HeaderIndicator } from './screen-indicators.js';

/** The SMTP envelope, when the listener received the mail; `mailFrom` '' is MAIL FROM:<>. */
export interface Envelope {
  mailFrom: string | null;
  rcptTo: readonly string[];
}

const MAX_EVIDENCE = 120;

export function evidence(name: string, value: string): string {
  const clean = value.replace(/[\u0000-\u001f]+/g, ' ').trim();
  return `${name}: ${clean.length > MAX_EVIDENCE ? `${clean.slice(0, MAX_EVIDENCE)}…` : clean}`;
}

/** The first header in the table that is present with a matching value, as evidence. */
export function headerHit(headers: HeaderMap, table: readonly HeaderIndicator[]): string | null {
  for (const indicator of table) {
    for (const value of allHeaders(headers, indicator.header)) {
      if (indicator.matches === undefined || indicator.matches(value)) return evidence(indicator.header, value);
    }
  }
  return null;
}

/** RFC 5321 §4.5.5: a null reverse-path, from the SMTP envelope or the Return-Path the MTA stamped. */
export function nullSender(headers: HeaderMap, envelope: Envelope | null): string | null {
  if (envelope !== null && envelope.mailFrom !== null && envelope.mailFrom.trim() === '') return 'MAIL FROM:<>';
  const empty = allHeaders(headers, 'return-path').find((v) => /^<\s*>$|^$/.test(v.trim()));
  return empty === undefined ? null : 'Return-Path: <>';
}

/**
 * A From, Sender or Return-Path of a delivery system (mailer-daemon, postmaster, "Mail
 * Delivery Subsystem"). mailparser reduces `MAILER-DAEMON <>` to an empty From, so the raw
 * fields are read.
 */
export function machineSender(headers: HeaderMap): string | null {
  for (const name of ['from', 'sender', 'return-path']) {
    const value = firstHeader(headers, name);
    if (value !== null && DAEMON_SENDER.test(value)) return evidence(name, value);
  }
  return null;
}

/** A From whose display name is a delivery system's, e.g. `Mail Delivery Subsystem <…>`. */
export function machineName(headers: HeaderMap): string | null {
  const from = firstHeader(headers, 'from');
  return from !== null && DAEMON_NAME.test(from) ? evidence('From', from) : null;
}

/** Without "[list] " tags that list managers put in front of bounce subjects. */
export const subjectCore = (subject: string): string => subject.replace(/^(?:\s*\[[^\]]{0,60}\])+\s*/, '');
