import { hashPassword, isNetworkAdmin, isSelf, mayReadAccessLog, requireActor } from '@mathnet/auth';
import { type Db, idempotent, pgErrorCode, type Tx, type UnitOfWork } from '@mathnet/db';
import {
  ConflictError,
  checkIfMatch,
  decodeCursor,
  InputError,
  idempotencyRequest,
  NotAllowedError,
  NotFoundError,
  pageOf,
  parseInput,
  setEtag,
  uuidParam,
} from '@mathnet/kit';
import { Router } from 'express';
import { v7 as uuidv7 } from 'uuid';
import {
  listableOrganisations,
  mayAssignRoles,
  mayManagePerson,
  mayReadPerson,
  selfEditableFields,
} from '../domain/person-access';
import { listAccess, recordAccess } from '../store/access-log';
import { existingOrganisationIds } from '../store/organisation-store';
import {
  findPerson,
  insertPerson,
  listPeople,
  personSnapshot,
  studentIdsAmong,
  updatePerson,
} from '../store/person-store';
import { accounts, idempotencyKeys } from '../store/schema';
import {
  listQuerySchema,
  type Person,
  personCreateSchema,
  personListQuerySchema,
  personPatchSchema,
  type RoleInput,
} from './schemas';

/** Roles must point at existing organisations, and a parent's at an existing student. */
async function validateRoles(tx: Tx, roles: RoleInput[]): Promise<void> {
  const orgIds = [...new Set(roles.map((r) => r.organisationId))];
  const known = await existingOrganisationIds(tx, orgIds);
  const unknown = orgIds.filter((id) => !known.has(id));
  if (unknown.length) throw new InputError(`roles: no organisation ${unknown.join(', ')}`);
  const studentIds = [...new Set(roles.flatMap((r) => (r.studentId ? [r.studentId] : [])))];
  const students = await studentIdsAmong(tx, studentIds);
  const missing = studentIds.filter((id) => !students.has(id));
  if (missing.length)
    throw new InputError(`roles: studentId ${missing.join(', ')} is not a student of the network`);
}

const orgsOf = (person: Person) => [...new Set(person.roles.map((r) => r.organisationId))];

/** `/v1/people`: people of the network with their roles per organisation, and their login accounts. */
export function peopleRouter(db: Db, work: UnitOfWork): Router {
  const router = Router();

  router.post('/v1/people', async (req, res) => {
    const actor = requireActor(req);
    const input = parseInput(personCreateSchema, req.body);
    if (!mayAssignRoles(actor, input.roles)) {
      throw new NotAllowedError(
        'A coordinator registers people of their own school only (and never network administrators)',
      );
    }
    const passwordHash = input.account ? await hashPassword(input.account.password) : undefined;
    const answer = await idempotent(db, idempotencyKeys, idempotencyRequest(req, actor.subject), (keep) =>
      work.run(async (tx, emit) => {
        await validateRoles(tx, input.roles);
        const id = uuidv7();
        const { account, ...fields } = input;
        await insertPerson(tx, id, fields);
        if (account && passwordHash) {
          try {
            await tx
              .insert(accounts)
              .values({ personId: id, email: account.email.toLowerCase(), passwordHash });
          } catch (error) {
            if (pgErrorCode(error) === '23505')
              throw new ConflictError(`An account with e-mail ${account.email} already exists`);
            throw error;
          }
        }
        const created = (await findPerson(tx, id))!;
        emit({ type: 'mathnet.registry.person.registered', subject: id, data: personSnapshot(created) });
        return keep(tx, { status: 201, body: created });
      }),
    );
    await recordAccess(db, { actor, action: 'create', personIds: [answer.body.id], requestId: req.id });
    res.setHeader('Location', `/v1/people/${answer.body.id}`);
    setEtag(res, answer.body.version);
    res.status(answer.status).json(answer.body);
  });

  router.get('/v1/people', async (req, res) => {
    const actor = requireActor(req);
    const query = parseInput(personListQuerySchema, req.query, 'query');
    const listable = listableOrganisations(actor);
    if (listable !== 'all' && query.organisationId && !listable.includes(query.organisationId)) {
      throw new NotAllowedError('You may list people of your own organisation only');
    }
    const selfIds = [
      actor.subject,
      ...actor.roles.flatMap((r) => (r.role === 'parent' && r.studentId ? [r.studentId] : [])),
    ];
    const rows = await listPeople(db, {
      ...(query.organisationId ? { organisationId: query.organisationId } : {}),
      ...(query.role ? { role: query.role } : {}),
      ...(query.grade !== undefined ? { grade: query.grade } : {}),
      ...(query.q ? { q: query.q } : {}),
      ...(listable === 'all' ? {} : { scope: { organisations: listable, selfIds } }),
      ...(query.cursor ? { afterId: decodeCursor(query.cursor) } : {}),
      limit: query.limit,
    });
    const page = pageOf(rows, query.limit);
    await recordAccess(db, {
      actor,
      action: 'list',
      personIds: page.items.map((p) => p.id),
      requestId: req.id,
    });
    res.json(page);
  });

  router.get('/v1/people/:id', async (req, res) => {
    const actor = requireActor(req);
    const person = await findPerson(db, uuidParam(req.params.id, 'person'));
    if (!person) throw new NotFoundError(`No person ${req.params.id}`);
    if (!mayReadPerson(actor, person.id, orgsOf(person)))
      throw new NotAllowedError("You may not read this person's record");
    await recordAccess(db, { actor, action: 'read', personIds: [person.id], requestId: req.id });
    setEtag(res, person.version);
    res.json(person);
  });

  // Who read or changed this person's record: for the person, their parents, their
  // school's coordinators and the district. Reading the log is not itself logged.
  router.get('/v1/people/:id/access-log', async (req, res) => {
    const actor = requireActor(req);
    const query = parseInput(listQuerySchema, req.query, 'query');
    const person = await findPerson(db, uuidParam(req.params.id, 'person'));
    if (!person) throw new NotFoundError(`No person ${req.params.id}`);
    if (!mayReadAccessLog(actor, person.id, orgsOf(person)))
      throw new NotAllowedError("You may not read this person's access log");
    const rows = await listAccess(db, person.id, {
      beforeId: decodeCursor(query.cursor),
      limit: query.limit,
    });
    res.json(pageOf(rows, query.limit));
  });

  router.patch('/v1/people/:id', async (req, res) => {
    const actor = requireActor(req);
    const id = uuidParam(req.params.id, 'person');
    const patch = parseInput(personPatchSchema, req.body);
    const updated = await work.run(async (tx, emit) => {
      const current = await findPerson(tx, id, true);
      if (!current) throw new NotFoundError(`No person ${id}`);
      const selfEdit = isSelf(actor, id) && Object.keys(patch).every((f) => selfEditableFields.has(f));
      if (!selfEdit && !mayManagePerson(actor, orgsOf(current))) {
        throw new NotAllowedError('A coordinator manages people of their own school only');
      }
      if (patch.roles) {
        // The roles a coordinator adds or removes must be at their school; the rest stay as they were.
        const key = (r: { role: string; organisationId: string }) => `${r.role}@${r.organisationId}`;
        const before = new Set(current.roles.map(key));
        const after = new Set(patch.roles.map(key));
        const changed = [
          ...patch.roles.filter((r) => !before.has(key(r))),
          ...current.roles.filter((r) => !after.has(key(r))),
        ];
        if (!mayAssignRoles(actor, changed))
          throw new NotAllowedError('You may change roles at your own school only');
        await validateRoles(tx, patch.roles);
      }
      if (patch.status && !isNetworkAdmin(actor) && !mayManagePerson(actor, orgsOf(current))) {
        throw new NotAllowedError('Only a coordinator or the district archives a person');
      }
      checkIfMatch(req, current.version);
      await updatePerson(tx, current, patch);
      const next = (await findPerson(tx, id))!;
      emit({ type: 'mathnet.registry.person.updated', subject: id, data: personSnapshot(next) });
      return next;
    });
    await recordAccess(db, { actor, action: 'update', personIds: [id], requestId: req.id });
    setEtag(res, updated.version);
    res.json(updated);
  });

  return router;
}
