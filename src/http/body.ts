/**
 * Reading a request body with a size limit, without breaking the connection it came on.
 *
 * Breaking out of `for await (… of req)` destroys the request stream and with it the
 * socket: the refusal then went out with `Connection: keep-alive` and the client's next
 * request on that socket met ECONNRESET. Here an oversized body is refused (413) as soon
 * as the limit is passed, and the rest is read and discarded so the connection stays
 * usable. When more than DRAIN_MAX would remain to discard (a declared length far past
 * the limit, or a chunked body of unknown size), the answer says `Connection: close`
 * (RFC 9112 §9.6) and the rest is still discarded up to DRAIN_MAX, so the client reads
 * the 413 instead of a reset; past that the socket is closed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** How much of a refused body we read and throw away to keep the connection (or answer cleanly). */
export const DRAIN_MAX = 8 * 1024 * 1024;

/** The body within `limit`, or null once it is larger (the caller answers 413). */
export function readLimitedBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer | null> {
  const declared = declaredLength(req);
  if (declared !== null && declared > limit) {
    refuse(req, res, 0, declared);
    return Promise.resolve(null);
  }
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      chunks.length = 0;
      refuse(req, res, size, declared);
      resolveBody(null);
    };
    const onEnd = (): void => resolveBody(Buffer.concat(chunks));
    const onError = (err: Error): void => reject(err);
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
  });
}

function declaredLength(req: IncomingMessage): number | null {
  const raw = req.headers['content-length'];
  if (raw === undefined || !/^\d+$/.test(raw)) return null;
  return Number(raw);
}

/** Decides keep-alive or close for the coming 413, then discards what is left of the body. */
function refuse(req: IncomingMessage, res: ServerResponse, received: number, declared: number | null): void {
  const left = declared === null ? Number.POSITIVE_INFINITY : declared - received;
  if (left > DRAIN_MAX) res.setHeader('connection', 'close');
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DRAIN_MAX) req.socket.destroy();
  });
  req.on('error', () => undefined);
  req.resume();
}
