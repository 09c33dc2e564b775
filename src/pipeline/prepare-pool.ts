/**
 * Runs the text stages of each message (parse, screen, read: prepare.ts) in a worker thread
 * with a hard time limit. A time budget checked between steps cannot interrupt synchronous
 * code, and one message that keeps the event loop busy stops every mailbox, the SMTP
 * listener, the API and the outbox with it (a bounce with 77,000 spaces in a line once held
 * the process for more than 30 s). A worker that exceeds the limit is terminated, its
 * message is refused with the reason (the pipeline quarantines it with its raw bytes), and
 * a fresh worker takes the next message.
 *
 * Cheap for ordinary mail: the raw bytes are copied once into a buffer that is transferred,
 * not cloned, and attachment contents come back the same way. The worker file is started
 * as compiled JavaScript from the build. From the sources (tests, `npx tsx`) a small module
 * registers tsx in the worker and then imports the TypeScript file: Node 20 cannot load one
 * in a worker by itself, and ignores `--import` for a worker's entry file.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../platform/logger.js';
import type { Envelope } from '../mail/screen.js';
import type { PrepareFn, PrepareOptions, PrepareOutcome, PreparedText } from './prepare.js';
import type { WorkerJob, WorkerReply } from './prepare-protocol.js';

export interface PreparePoolOptions extends PrepareOptions {
  /** Hard limit for one message's text stages, from the moment its worker takes it. */
  timeLimitMs: number;
  /** Worker threads at most (started when needed). */
  size?: number;
  log?: Logger;
}

export interface PreparePool {
  prepare: PrepareFn;
  /** Lets the messages in hand finish, then ends the workers. */
  close(): Promise<void>;
  /** Workers stopped for exceeding the limit since the pool started. */
  stopped(): number;
}

interface Job {
  id: number;
  raw: Buffer;
  envelope: Envelope | null;
  resolve(outcome: PrepareOutcome): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Job | null;
  checksum: string | null;
  timer: NodeJS.Timeout | null;
}

/** The worker's file: compiled beside this one, or the TypeScript source run through tsx. */
function workerEntry(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./prepare-worker.js', import.meta.url);
  const source = new URL('./prepare-worker.ts', import.meta.url).href;
  // tsx's ESM API sits beside the CommonJS file `require` resolves (its package exports both).
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const boot = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(source)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
}

/** Attachment contents arrive as plain Uint8Arrays over their transferred buffers. */
function revive(prepared: PreparedText): PreparedText {
  for (const a of prepared.parsed.attachments) {
    const bytes = a.content as Uint8Array;
    a.content = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return prepared;
}

export function createPreparePool(options: PreparePoolOptions): PreparePool {
  const { timeLimitMs, log, size = 1, ...workerData } = options;
  const entry = workerEntry();
  const slots = new Set<Slot>();
  const queue: Job[] = [];
  const inFlight = new Set<Promise<PrepareOutcome>>();
  let nextId = 1;
  let stoppedCount = 0;
  let closing = false;

  function spawn(): void {
    const worker = new Worker(entry, { workerData });
    const slot: Slot = { worker, ready: false, job: null, checksum: null, timer: null };
    slots.add(slot);
    worker.unref();
    worker.on('message', (reply: WorkerReply) => onReply(slot, reply));
    worker.on('error', (err) => onGone(slot, `parse failed: its worker failed: ${err.message}`));
    worker.on('exit', (code) => onGone(slot, `parse failed: its worker exited with code ${code}`));
  }

  function onReply(slot: Slot, reply: WorkerReply): void {
    if (reply.kind === 'ready') {
      slot.ready = true;
      dispatch();
      return;
    }
    const job = slot.job;
    if (job === null || job.id !== reply.id) return;
    if (reply.kind === 'checksum') {
      slot.checksum = reply.checksum;
      return;
    }
    const checksum = slot.checksum;
    finish(slot);
    if (reply.kind === 'refused') job.resolve({ ok: false, reason: reply.reason, checksum });
    else job.resolve({ ok: true, ...revive({ parsed: reply.parsed, screen: reply.screen, read: reply.read }) });
    dispatch();
  }

  /** The worker is gone: its message is refused, or, if it never started, the mail waits. */
  function onGone(slot: Slot, reason: string): void {
    if (!slots.delete(slot)) return;
    const { job, checksum } = slot;
    finish(slot);
    if (job !== null) {
      job.resolve({ ok: false, reason, checksum });
    } else if (!slot.ready) {
      // It failed before loading: no message is to blame. Refuse to guess; the sources retry.
      log?.error({ msg: 'parse worker failed to start', reason });
      for (const waiting of queue.splice(0)) waiting.reject(new Error(reason));
    }
    dispatch();
  }

  function finish(slot: Slot): void {
    if (slot.timer !== null) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
    slot.checksum = null;
    slot.worker.unref();
  }

  function overLimit(slot: Slot): void {
    const job = slot.job;
    if (job === null) return;
    stoppedCount += 1;
    slots.delete(slot);
    const checksum = slot.checksum;
    finish(slot);
    log?.warn({ msg: 'parse worker stopped: message over the time limit', limitMs: timeLimitMs, bytes: job.raw.length });
    job.resolve({ ok: false, reason: `parse timeout: reading the message took longer than ${timeLimitMs} ms; its worker was stopped`, checksum });
    void slot.worker.terminate();
    // Its replacement starts now, so the next message does not wait for it to load.
    if (!closing && slots.size < size) spawn();
    dispatch();
  }

  function dispatch(): void {
    while (queue.length > 0) {
      const idle = [...slots].find((s) => s.ready && s.job === null);
      if (idle === undefined) {
        if (slots.size < size) spawn();
        return;
      }
      const job = queue.shift() as Job;
      // One copy, then transferred: the caller keeps its buffer, the worker owns this one.
      const copy = new Uint8Array(job.raw.length);
      copy.set(job.raw);
      idle.job = job;
      idle.worker.ref();
      idle.timer = setTimeout(() => overLimit(idle), timeLimitMs);
      idle.worker.postMessage({ id: job.id, raw: copy.buffer, envelope: job.envelope } satisfies WorkerJob, [copy.buffer]);
    }
  }

  const prepare: PrepareFn = (raw, envelope = null) => {
    if (closing) return Promise.reject(new Error('the parse workers are stopping'));
    const outcome = new Promise<PrepareOutcome>((resolve, reject) => {
      queue.push({ id: nextId, raw, envelope, resolve, reject });
      nextId += 1;
      dispatch();
    });
    inFlight.add(outcome);
    void outcome.catch(() => undefined).finally(() => inFlight.delete(outcome));
    return outcome;
  };

  return {
    prepare,
    stopped: () => stoppedCount,
    async close() {
      closing = true;
      await Promise.allSettled([...inFlight]);
      const workers = [...slots].map((s) => s.worker);
      slots.clear();
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
