import { assertAllowed, isNetworkAdmin, requireActor } from '@mathnet/auth';
import type { Db, UnitOfWork } from '@mathnet/db';
import { asc } from 'drizzle-orm';
import { Router } from 'express';
import { organisationSnapshot, toOrganisation } from '../store/organisation-store';
import { findPerson, personSnapshot } from '../store/person-store';
import { organisations, people } from '../store/schema';

/**
 * `POST /v1/admin/republish`: emits an `updated` event with the current snapshot
 * of every organisation and person, so a service deployed later (or whose read
 * model was lost) can rebuild it. Consumers keep the highest version they saw,
 * so republishing is harmless to those already up to date.
 */
export function adminRouter(db: Db, work: UnitOfWork): Router {
  const router = Router();
  router.post('/v1/admin/republish', async (req, res) => {
    assertAllowed(isNetworkAdmin(requireActor(req)), 'Only a network administrator republishes the registry');
    const orgs = await db.select().from(organisations).orderBy(asc(organisations.id));
    const personIds = await db.select({ id: people.id }).from(people).orderBy(asc(people.id));
    await work.run(async (tx, emit) => {
      for (const row of orgs) {
        emit({
          type: 'mathnet.registry.organisation.updated',
          subject: row.id,
          data: organisationSnapshot(toOrganisation(row)),
        });
      }
      for (const { id } of personIds) {
        const person = (await findPerson(tx, id))!;
        emit({ type: 'mathnet.registry.person.updated', subject: id, data: personSnapshot(person) });
      }
    });
    res.status(202).json({ organisations: orgs.length, people: personIds.length });
  });
  return router;
}
