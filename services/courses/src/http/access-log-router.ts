import { isSelf, mayReadAccessLog, requireActor } from '@mathnet/auth';
import { type AccessAction, type Db, listAccess, recordAccess, type Tx } from '@mathnet/db';
import { decodeCursor, NotAllowedError, NotFoundError, pageOf, parseInput, uuidParam } from '@mathnet/kit';
import { eq } from 'drizzle-orm';
import { type Request, Router } from 'express';
import { z } from 'zod';
import { personalDataAccess, personView } from '../store/schema';

/**
 * Records that this request showed or changed these people's enrollments, routes or
 * training (names, marks, plans). Awaited before the answer is sent: a request whose record
 * cannot be written fails instead of handing out data unlogged.
 */
export function logAccess(
  db: Db | Tx,
  req: Request,
  action: AccessAction,
  personIds: Iterable<string | null | undefined>,
): Promise<void> {
  const ids = [...personIds].filter((id): id is string => typeof id === 'string');
  return recordAccess(db, personalDataAccess, {
    actor: requireActor(req),
    action,
    personIds: ids,
    requestId: req.id,
  });
}

export const accessLogQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

/**
 * `GET /v1/people/{id}/access-log`: who saw or changed this person's data in courses, newest
 * first, for the person, a parent, a coordinator of one of their organisations and the
 * district (as registry's log of the person's record). Reading the log is not logged.
 */
export function accessLogRouter(db: Db): Router {
  const router = Router();
  router.get('/v1/people/:id/access-log', async (req, res) => {
    const actor = requireActor(req);
    const personId = uuidParam(req.params.id, 'person');
    const query = parseInput(accessLogQuerySchema, req.query, 'query');
    const [person] = await db.select().from(personView).where(eq(personView.id, personId));
    // The person may read their own log before registry's facts reached courses.
    if (!person && !isSelf(actor, personId)) throw new NotFoundError(`No person ${personId}`);
    const organisations = [
      ...(person?.roles ?? []).map((r) => r.organisationId),
      ...(person?.homeSchoolId ? [person.homeSchoolId] : []),
    ];
    if (!mayReadAccessLog(actor, personId, organisations))
      throw new NotAllowedError("You may not read this person's access log");
    const rows = await listAccess(db, personalDataAccess, personId, {
      beforeId: decodeCursor(query.cursor),
      limit: query.limit,
    });
    res.json(pageOf(rows, query.limit));
  });
  return router;
}
