import type { IncomingMessage } from 'node:http';

// Adds `req.rawBody` to express's Request for every package that uses kit's app.
declare global {
  namespace Express {
    interface Request {
      /**
       * The bytes of a JSON or form body exactly as received, for the few handlers that need
       * them (an LMS webhook's signature covers the bytes, not a re-serialisation).
       */
      rawBody?: Buffer;
    }
  }
}

/** The body parsers' `verify` hook: keeps the bytes they parsed (no copy: the same buffer). */
export function keepRawBody(req: IncomingMessage, _res: unknown, buffer: Buffer): void {
  (req as IncomingMessage & { rawBody?: Buffer }).rawBody = buffer;
}
