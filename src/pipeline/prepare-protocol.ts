/** The messages between the prepare pool and its worker threads. */
import type { Envelope } from '../mail/screen.js';
import type { PreparedText } from './prepare.js';

export interface WorkerJob {
  id: number;
  /** The raw message, transferred: the worker owns it. */
  raw: ArrayBuffer;
  /** The SMTP envelope, when the source knows it (a null sender is never answered). */
  envelope: Envelope | null;
}

export type WorkerReply =
  /** Its modules are loaded: jobs and their time limits start now. */
  | { id: 0; kind: 'ready' }
  | { id: number; kind: 'checksum'; checksum: string }
  | ({ id: number; kind: 'prepared' } & PreparedText)
  | { id: number; kind: 'refused'; reason: string };
