import { requireActor } from '@mathnet/auth';
import { type Db, idempotent, type UnitOfWork } from '@mathnet/db';
import {
  checkIfMatch,
  decodeCursor,
  idempotencyRequest,
  NotAllowedError,
  NotFoundError,
  pageOf,
  parseInput,
  setEtag,
} from '@mathnet/kit';
import { Router } from 'express';
import { v7 as uuidv7 } from 'uuid';
import { mayPatchOrganisation, mayRegisterOrganisation } from '../domain/organisation-access';
import {
  findOrganisation,
  insertOrganisation,
  listOrganisations,
  organisationSnapshot,
  updateOrganisation,
} from '../store/organisation-store';
import { idempotencyKeys } from '../store/schema';
import { organisationCreateSchema, organisationListQuerySchema, organisationPatchSchema } from './schemas';

const idParam = (value: string | undefined): string => {
  if (!value || !/^[0-9a-f-]{36}$/i.test(value)) throw new NotFoundError(`No organisation ${value}`);
  return value;
};

/** `/v1/organisations`: the members of the network. */
export function organisationsRouter(db: Db, work: UnitOfWork): Router {
  const router = Router();

  router.post('/v1/organisations', async (req, res) => {
    const actor = requireActor(req);
    if (!mayRegisterOrganisation(actor))
      throw new NotAllowedError('Only a network administrator registers organisations');
    const input = parseInput(organisationCreateSchema, req.body);
    const answer = await idempotent(db, idempotencyKeys, idempotencyRequest(req, actor.subject), (keep) =>
      work.run(async (tx, emit) => {
        const created = await insertOrganisation(tx, uuidv7(), input);
        emit({
          type: 'mathnet.registry.organisation.registered',
          subject: created.id,
          data: organisationSnapshot(created),
        });
        return keep(tx, { status: 201, body: created });
      }),
    );
    res.setHeader('Location', `/v1/organisations/${answer.body.id}`);
    setEtag(res, answer.body.version);
    res.status(answer.status).json(answer.body);
  });

  router.get('/v1/organisations', async (req, res) => {
    requireActor(req);
    const query = parseInput(organisationListQuerySchema, req.query, 'query');
    const rows = await listOrganisations(db, {
      ...(query.kind ? { kind: query.kind } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.isHub ? { isHub: query.isHub === 'true' } : {}),
      ...(query.q ? { q: query.q } : {}),
      ...(query.cursor ? { afterId: decodeCursor(query.cursor) } : {}),
      limit: query.limit,
    });
    res.json(pageOf(rows, query.limit));
  });

  router.get('/v1/organisations/:id', async (req, res) => {
    requireActor(req);
    const org = await findOrganisation(db, idParam(req.params.id));
    if (!org) throw new NotFoundError(`No organisation ${req.params.id}`);
    setEtag(res, org.version);
    res.json(org);
  });

  router.patch('/v1/organisations/:id', async (req, res) => {
    const actor = requireActor(req);
    const id = idParam(req.params.id);
    const patch = parseInput(organisationPatchSchema, req.body);
    const updated = await work.run(async (tx, emit) => {
      const current = await findOrganisation(tx, id, true);
      if (!current) throw new NotFoundError(`No organisation ${id}`);
      if (!mayPatchOrganisation(actor, id, Object.keys(patch))) {
        throw new NotAllowedError(
          'A coordinator may change the name, address, contacts and profiles of their own organisation only',
        );
      }
      checkIfMatch(req, current.version);
      const next = await updateOrganisation(tx, current, patch);
      emit({ type: 'mathnet.registry.organisation.updated', subject: id, data: organisationSnapshot(next) });
      return next;
    });
    setEtag(res, updated.version);
    res.json(updated);
  });

  return router;
}
