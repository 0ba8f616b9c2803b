import type { Request } from 'express';

/** The Idempotency-Key of a creating POST, with the route and actor it is scoped to. */
export function idempotencyRequest(req: Request, actorId: string) {
  return { key: req.get('idempotency-key'), route: `${req.method} ${req.baseUrl}${req.path}`, actorId };
}
