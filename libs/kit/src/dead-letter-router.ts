import { type Request, Router } from 'express';
import { NotFoundError } from './errors';

/** What the admin router needs of a bus (structural, so kit does not depend on the bus package). */
export interface DeadLetterSource {
  deadLetters(group: string, limit?: number): Promise<unknown[]>;
  replayDeadLetters(group: string): Promise<number>;
}

/**
 * `GET /v1/admin/dead-letters/{group}` lists what a consumer group parked after
 * its retries (with the error); `POST …/replay` puts them back on the group's
 * queue. `authorize` throws (403) unless the actor may operate the service.
 */
export function deadLetterRouter(
  bus: DeadLetterSource,
  groups: string[],
  authorize: (req: Request) => void,
): Router {
  const router = Router();
  const groupOf = (req: Request): string => {
    authorize(req);
    const group = String(req.params.group);
    if (!groups.includes(group))
      throw new NotFoundError(`No consumer group ${group}; this service has ${groups.join(', ') || 'none'}`);
    return group;
  };
  router.get('/v1/admin/dead-letters/:group', async (req, res) => {
    const group = groupOf(req);
    res.json({ group, items: await bus.deadLetters(group, 100) });
  });
  router.post('/v1/admin/dead-letters/:group/replay', async (req, res) => {
    const group = groupOf(req);
    res.json({ group, replayed: await bus.replayDeadLetters(group) });
  });
  return router;
}
