import type { Actor } from './actor';

// Adds `req.actor` to express's Request for every package that imports @mathnet/auth.
declare global {
  namespace Express {
    interface Request {
      /** The verified caller, set by `authenticate`. */
      actor?: Actor;
    }
  }
}
