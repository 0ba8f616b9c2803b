import { type Actor, isNetworkAdmin, organisationsWithRole, requireActor } from '@mathnet/auth';
import { type Db, idempotent, type UnitOfWork } from '@mathnet/db';
import {
  ConflictError,
  checkIfMatch,
  idempotencyRequest,
  NotAllowedError,
  NotFoundError,
  parseInput,
  setEtag,
  uuidParam,
} from '@mathnet/kit';
import { Router } from 'express';
import { v7 as uuidv7 } from 'uuid';
import { mayManageOfferingsOf } from '../domain/course-access';
import {
  findOfferingRow,
  insertOffering,
  offeringEvent,
  providerOf,
  searchOfferingPage,
  toOffering,
  updateOffering,
} from '../store/offering-store';
import { idempotencyKeys } from '../store/schema';
import { promoteWaitlisted } from '../workflows/seat-allocation';
import { offeringCreateSchema, offeringListQuerySchema, offeringPatchSchema } from './offering-schemas';

function draftsVisibleTo(actor: Actor): 'all' | string[] {
  return isNetworkAdmin(actor) ? 'all' : organisationsWithRole(actor, ['school_admin', 'partner']);
}

/** `/v1/offerings`: the network catalogue. */
export function offeringsRouter(db: Db, work: UnitOfWork): Router {
  const router = Router();

  router.post('/v1/offerings', async (req, res) => {
    const actor = requireActor(req);
    const input = parseInput(offeringCreateSchema, req.body);
    if (!mayManageOfferingsOf(actor, input.providerId)) {
      throw new NotAllowedError("Only the provider's coordinator (or the district) creates its offerings");
    }
    const answer = await idempotent(db, idempotencyKeys, idempotencyRequest(req, actor.subject), (keep) =>
      work.run(async (tx) => {
        const row = await insertOffering(tx, uuidv7(), input, actor.subject);
        return keep(tx, { status: 201, body: toOffering(row, await providerOf(tx, row.providerId)) });
      }),
    );
    res.setHeader('Location', `/v1/offerings/${answer.body.id}`);
    setEtag(res, answer.body.version);
    res.status(answer.status).json(answer.body);
  });

  router.get('/v1/offerings', async (req, res) => {
    const actor = requireActor(req);
    const query = parseInput(offeringListQuerySchema, req.query, 'query');
    // The page arrives as JSON text (items built by PostgreSQL): sent as is, not parsed and re-serialised.
    res.type('application/json').send(await searchOfferingPage(db, query, draftsVisibleTo(actor)));
  });

  router.get('/v1/offerings/:id', async (req, res) => {
    const actor = requireActor(req);
    const row = await findOfferingRow(db, uuidParam(req.params.id, 'offering'));
    if (!row || (row.status === 'draft' && !mayManageOfferingsOf(actor, row.providerId))) {
      throw new NotFoundError(`No offering ${req.params.id}`);
    }
    setEtag(res, row.version);
    res.json(toOffering(row, await providerOf(db, row.providerId)));
  });

  router.patch('/v1/offerings/:id', async (req, res) => {
    const actor = requireActor(req);
    const id = uuidParam(req.params.id, 'offering');
    const patch = parseInput(offeringPatchSchema, req.body);
    const row = await work.run(async (tx, emit) => {
      const current = await findOfferingRow(tx, id, true);
      if (!current) throw new NotFoundError(`No offering ${id}`);
      if (!mayManageOfferingsOf(actor, current.providerId))
        throw new NotAllowedError('Providers edit only their own offerings');
      if (current.status === 'archived') throw new ConflictError('An archived offering cannot be changed');
      checkIfMatch(req, current.version);
      if (patch.capacity !== undefined && patch.capacity < current.enrolledCount) {
        throw new ConflictError(
          `capacity ${patch.capacity} is below the ${current.enrolledCount} seats already taken`,
        );
      }
      const termStart = patch.termStart === undefined ? current.termStart : patch.termStart;
      const termEnd = patch.termEnd === undefined ? current.termEnd : patch.termEnd;
      if (termStart && termEnd && termStart > termEnd)
        throw new ConflictError('termStart must not be after termEnd');
      let next = await updateOffering(tx, current, patch);
      if (next.status === 'published' && next.capacity > current.capacity) {
        await promoteWaitlisted(tx, next, emit);
        next = (await findOfferingRow(tx, id))!;
      }
      if (next.status === 'published') {
        emit({
          type: 'mathnet.courses.offering.updated',
          subject: id,
          data: offeringEvent(toOffering(next)),
        });
      }
      return next;
    });
    setEtag(res, row.version);
    res.json(toOffering(row, await providerOf(db, row.providerId)));
  });

  const transition = (action: 'publish' | 'archive', from: string[], to: string) =>
    router.post(`/v1/offerings/:id/${action}`, async (req, res) => {
      const actor = requireActor(req);
      const id = uuidParam(req.params.id, 'offering');
      const row = await work.run(async (tx, emit) => {
        const current = await findOfferingRow(tx, id, true);
        if (!current) throw new NotFoundError(`No offering ${id}`);
        if (!mayManageOfferingsOf(actor, current.providerId))
          throw new NotAllowedError('Providers manage only their own offerings');
        if (!from.includes(current.status))
          throw new ConflictError(`Cannot ${action} an offering that is ${current.status}`);
        checkIfMatch(req, current.version);
        const next = await updateOffering(tx, current, {
          status: to,
          ...(to === 'published' ? { publishedAt: new Date() } : {}),
        });
        emit({
          type:
            to === 'published' ? 'mathnet.courses.offering.published' : 'mathnet.courses.offering.archived',
          subject: id,
          data: offeringEvent(toOffering(next)),
        });
        return next;
      });
      setEtag(res, row.version);
      res.json(toOffering(row, await providerOf(db, row.providerId)));
    });
  transition('publish', ['draft'], 'published');
  transition('archive', ['draft', 'published'], 'archived');

  return router;
}
