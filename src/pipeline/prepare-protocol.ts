/** The messages between the prepare pool and its worker threads. */
import type { PreparedText } from './prepare.js';

export interface WorkerJob {
  id: number;
  /** The raw message, transferred: the worker owns it. */
  raw: ArrayBuffer;
}

export type WorkerReply =
  /** Its modules are loaded: jobs and their time limits start now. */
  | { id: 0; kind: 'ready' }
  | { id: number; kind: 'checksum'; checksum: string }
  | ({ id: number; kind: 'prepared' } & PreparedText)
  | { id: number; kind: 'refused'; reason: string };
