import { canManageOrganisation, hashPassword, randomToken, requireActor } from '@mathnet/auth';
import type { Db } from '@mathnet/db';
import { NotAllowedError, NotFoundError, parseInput } from '@mathnet/kit';
import { desc, eq } from 'drizzle-orm';
import { Router } from 'express';
import { findOrganisation } from '../store/organisation-store';
import { clients } from '../store/schema';
import { clientCreateSchema } from './schemas';

/**
 * `/v1/organisations/{id}/clients`: a school's machine clients (OAuth client
 * credentials, e.g. for its LMS). The secret is shown once, at creation.
 */
export function clientsRouter(db: Db): Router {
  const router = Router();

  const authorise = async (actorCheck: boolean, organisationId: string | undefined) => {
    if (!organisationId || !(await findOrganisation(db, organisationId).catch(() => undefined))) {
      throw new NotFoundError(`No organisation ${organisationId}`);
    }
    if (!actorCheck)
      throw new NotAllowedError("Only the organisation's coordinator or the district manages its clients");
    return organisationId;
  };

  router.post('/v1/organisations/:id/clients', async (req, res) => {
    const actor = requireActor(req);
    const organisationId = await authorise(canManageOrganisation(actor, req.params.id ?? ''), req.params.id);
    const input = parseInput(clientCreateSchema, req.body);
    const clientId = `mn_${randomToken(12)}`;
    const clientSecret = randomToken(32);
    await db.insert(clients).values({
      clientId,
      name: input.name,
      organisationId,
      secretHash: await hashPassword(clientSecret),
      createdBy: actor.kind === 'person' ? actor.subject : null,
    });
    res.status(201).json({ clientId, clientSecret, name: input.name, organisationId });
  });

  router.get('/v1/organisations/:id/clients', async (req, res) => {
    const actor = requireActor(req);
    const organisationId = await authorise(canManageOrganisation(actor, req.params.id ?? ''), req.params.id);
    const rows = await db
      .select({
        clientId: clients.clientId,
        name: clients.name,
        createdAt: clients.createdAt,
        revokedAt: clients.revokedAt,
      })
      .from(clients)
      .where(eq(clients.organisationId, organisationId))
      .orderBy(desc(clients.createdAt));
    res.json({ items: rows, nextCursor: null });
  });

  return router;
}
