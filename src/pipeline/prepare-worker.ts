/**
 * Entry of the worker thread that runs the text stages (prepare.ts) for the pool in
 * prepare-pool.ts. One job at a time: the raw bytes arrive as a transferred ArrayBuffer,
 * the checksum goes back first (so a message the pool has to stop can still be quarantined
 * under its key without hashing it again), then the outcome, with attachment contents
 * transferred rather than copied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { prepareText, sha256, type PrepareOptions } from './prepare.js';
import type { WorkerJob, WorkerReply } from './prepare-protocol.js';

const port = parentPort;
if (port === null) throw new Error('prepare-worker runs as a worker thread only');
const options = workerData as PrepareOptions;

port.on('message', (job: WorkerJob) => {
  void run(job);
});
post({ id: 0, kind: 'ready' });

async function run(job: WorkerJob): Promise<void> {
  const raw = Buffer.from(job.raw);
  const checksum = sha256(raw);
  post({ id: job.id, kind: 'checksum', checksum });
  try {
    const outcome = await prepareText(raw, options, job.envelope);
    if (!outcome.ok) {
      post({ id: job.id, kind: 'refused', reason: outcome.reason });
      return;
    }
    // Each content gets a buffer of its own: a view into a larger one would send all of it.
    const transfer: ArrayBuffer[] = [];
    for (const attachment of outcome.parsed.attachments) {
      const own = new Uint8Array(attachment.content.length);
      own.set(attachment.content);
      attachment.content = own as Buffer;
      transfer.push(own.buffer);
    }
    post({ id: job.id, kind: 'prepared', parsed: outcome.parsed, screen: outcome.screen, read: outcome.read }, transfer);
  } catch (err) {
    post({ id: job.id, kind: 'refused', reason: `parse failed: ${err instanceof Error ? err.message : String(err)}` });
  }
}

function post(reply: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(reply, transfer);
}
