import type { IncomingMessage } from 'node:http';
import { Transform } from 'node:stream';
import { PayloadTooLargeError } from '@mathnet/kit';
import type { ForwardBody } from './upstream';

function tooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`The body is larger than the limit of ${maxBytes} bytes`);
}

/**
 * The body to stream upstream, never more than `maxBytes`: a declared
 * `Content-Length` over the limit is refused at once (node's parser holds the
 * client to its declared length); a chunked body is counted on the way and the
 * upstream request fails with a 413 when it passes the limit.
 */
export function limitedBody(req: IncomingMessage, maxBytes: number): ForwardBody {
  const declared = req.headers['content-length'];
  if (declared !== undefined) {
    const length = Number(declared);
    if (length > maxBytes) throw tooLarge(maxBytes);
    return length === 0 ? null : req;
  }
  if (req.headers['transfer-encoding'] === undefined) return null;
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(tooLarge(maxBytes));
      else callback(null, chunk);
    },
  });
  // pipe, not pipeline: a failed upstream request must not destroy the client's socket, which still gets the 413.
  req.pipe(counter);
  req.once('error', (error) => counter.destroy(error));
  return counter;
}

/**
 * Reads a whole (small) body into memory, rejecting with a 413 past `maxBytes`.
 * The rest of an oversized body is drained so the connection stays usable.
 */
export function readSmallBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let seen = 0;
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) {
        cleanup();
        req.resume();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
