import { requireActor } from '@mathnet/auth';
import { isMinor } from '@mathnet/contracts';
import { type Db, pgErrorCode, type UnitOfWork } from '@mathnet/db';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  parseInput,
  uuidParam,
} from '@mathnet/kit';
import { type Request, Router } from 'express';
import { consentAuthority, mayReadConsents } from '../domain/consent-access';
import { recordAccess } from '../store/access-log';
import { findConsent, insertConsent, listConsents, withdrawConsent } from '../store/consent-store';
import { findPerson } from '../store/person-store';
import { consentGrantSchema, consentWithdrawSchema } from './schemas';

/**
 * `/v1/people/{id}/consents`: consents to the processing of a person's data (152-ФЗ), given by
 * the person (an adult), a parent (for a minor), or recorded from a signed paper form by a
 * coordinator of their school or the district (with `evidence`). Withdrawn consents stay as
 * history. Each change is announced (`mathnet.registry.consent.granted|withdrawn`) and, like
 * every read, written to the person's access log.
 */
export function consentsRouter(db: Db, work: UnitOfWork): Router {
  const router = Router();

  /** The person and how the actor may act on their consents. */
  const subject = async (req: Request<{ id: string }>) => {
    const actor = requireActor(req);
    const person = await findPerson(db, uuidParam(req.params.id, 'person'));
    if (!person) throw new NotFoundError(`No person ${req.params.id}`);
    const organisations = [...new Set(person.roles.map((r) => r.organisationId))];
    const minor = isMinor(person.birthDate, new Date());
    return {
      actor,
      person,
      organisations,
      authority: consentAuthority(actor, { id: person.id, organisations, minor }),
    };
  };
  const assertMayChange = (
    authority: ReturnType<typeof consentAuthority>,
    evidence: string | undefined,
  ): void => {
    if (!authority)
      throw new NotAllowedError(
        "A consent is given by the person (an adult), a parent (for a minor), or recorded by the person's coordinator or the district",
      );
    if (authority === 'recorded' && !evidence)
      throw new InputError('evidence: required when a consent is recorded on the person’s behalf', [
        { path: 'evidence', message: 'where the signed form is (e.g. "form № 17, school office")' },
      ]);
  };

  router.post('/v1/people/:id/consents', async (req, res) => {
    const { actor, person, authority } = await subject(req);
    const input = parseInput(consentGrantSchema, req.body);
    assertMayChange(authority, input.evidence);
    const consent = await work
      .run(async (tx, emit) => {
        const created = await insertConsent(tx, {
          personId: person.id,
          purpose: input.purpose,
          grantedBy: actor.subject,
          evidence: input.evidence ?? null,
        });
        emit({ type: 'mathnet.registry.consent.granted', subject: person.id, data: created });
        await recordAccess(tx, { actor, action: 'update', personIds: [person.id], requestId: req.id });
        return created;
      })
      .catch((error: unknown) => {
        if (pgErrorCode(error) === '23505')
          throw new ConflictError(`${person.id} already has a granted consent for ${input.purpose}`);
        throw error;
      });
    res.setHeader('Location', `/v1/people/${person.id}/consents/${consent.id}`);
    res.status(201).json(consent);
  });

  router.get('/v1/people/:id/consents', async (req, res) => {
    const { actor, person, organisations } = await subject(req);
    if (!mayReadConsents(actor, person.id, organisations))
      throw new NotAllowedError("You may not see this person's consents");
    const items = await listConsents(db, person.id);
    await recordAccess(db, { actor, action: 'read', personIds: [person.id], requestId: req.id });
    res.json({ items });
  });

  router.post('/v1/people/:id/consents/:consentId/withdraw', async (req, res) => {
    const { actor, person, authority } = await subject(req);
    const input = parseInput(consentWithdrawSchema, req.body ?? {});
    assertMayChange(authority, input.evidence);
    const consentId = uuidParam(req.params.consentId, 'consent');
    const withdrawn = await work.run(async (tx, emit) => {
      const done = await withdrawConsent(tx, person.id, consentId, actor.subject);
      if (!done) return undefined;
      emit({ type: 'mathnet.registry.consent.withdrawn', subject: person.id, data: done });
      await recordAccess(tx, { actor, action: 'update', personIds: [person.id], requestId: req.id });
      return done;
    });
    if (!withdrawn) {
      const existing = await findConsent(db, person.id, consentId);
      if (!existing) throw new NotFoundError(`No consent ${consentId} of person ${person.id}`);
      throw new ConflictError(`The consent ${consentId} is already withdrawn`);
    }
    res.json(withdrawn);
  });

  return router;
}
