import { type Actor, isNetworkAdmin, organisationsWithRole, requireActor } from '@mathnet/auth';
import type { Db, UnitOfWork } from '@mathnet/db';
import {
  decodeCursor,
  encodeCursor,
  isUuid,
  NotAllowedError,
  NotFoundError,
  parseInput,
  setEtag,
  uuidParam,
} from '@mathnet/kit';
import { and, asc, eq, gt, inArray, or, type SQL, sql } from 'drizzle-orm';
import { type Request, type Response, Router } from 'express';
import { mayReadEnrollment } from '../domain/course-access';
import {
  findEnrollmentAnswer,
  findEnrollmentRow,
  hydrateEnrollments,
  stepsOf,
} from '../store/enrollment-store';
import { findOfferingRow } from '../store/offering-store';
import { enrollments, offerings } from '../store/schema';
import { EnrollmentWorkflow } from '../workflows/enrollment-workflow';
import { logAccess } from './access-log-router';
import {
  completeSchema,
  creditSchema,
  enrollmentListQuerySchema,
  enrollmentRequestSchema,
  reasonSchema,
  rejectSchema,
} from './enrollment-schemas';

/** What part of the enrollments an actor may list (SQL over enrollments joined with offerings). */
function visibility(actor: Actor): SQL | undefined {
  if (isNetworkAdmin(actor)) return undefined;
  const staffOrgs = organisationsWithRole(actor, ['school_admin', 'teacher', 'partner']);
  const children = actor.roles.flatMap((r) => (r.role === 'parent' && r.studentId ? [r.studentId] : []));
  const visible: SQL[] = [];
  // A machine client's subject is not a person id (and not a UUID): it sees only through its organisation.
  if (actor.kind === 'person' && isUuid(actor.subject))
    visible.push(eq(enrollments.studentId, actor.subject));
  if (children.length) visible.push(inArray(enrollments.studentId, children));
  if (staffOrgs.length) {
    visible.push(inArray(enrollments.homeSchoolId, staffOrgs), inArray(offerings.providerId, staffOrgs));
  }
  return visible.length ? or(...visible) : sql`false`;
}

/** `/v1/enrollments` and `/v1/offerings/{id}/enrollments`: enrollment across schools. */
export function enrollmentsRouter(db: Db, work: UnitOfWork): Router {
  const router = Router();
  const workflow = new EnrollmentWorkflow(work);

  /** Answers with the enrollment (the learner's name and results in it: logged as an access). */
  const answer = async (
    req: Request,
    res: Response,
    id: string,
    action: 'create' | 'update',
    status = 200,
  ) => {
    const enrollment = (await findEnrollmentAnswer(db, id))!;
    await logAccess(db, req, action, [enrollment.studentId]);
    setEtag(res, enrollment.version);
    res.status(status).json(enrollment);
  };

  router.post('/v1/offerings/:id/enrollments', async (req, res) => {
    const actor = requireActor(req);
    const { studentId } = parseInput(enrollmentRequestSchema, req.body);
    const row = await workflow.request(actor, uuidParam(req.params.id, 'offering'), studentId);
    res.setHeader('Location', `/v1/enrollments/${row.id}`);
    await answer(req, res, row.id, 'create', 201);
  });

  router.get('/v1/enrollments', async (req, res) => {
    const actor = requireActor(req);
    const query = parseInput(enrollmentListQuerySchema, req.query, 'query');
    const where: SQL[] = [];
    const visible = visibility(actor);
    if (visible) where.push(visible);
    if (query.studentId) where.push(eq(enrollments.studentId, query.studentId));
    if (query.offeringId) where.push(eq(enrollments.offeringId, query.offeringId));
    if (query.status) where.push(eq(enrollments.status, query.status));
    if (query.organisationId) {
      where.push(
        or(
          eq(enrollments.homeSchoolId, query.organisationId),
          eq(offerings.providerId, query.organisationId),
        )!,
      );
    }
    const after = decodeCursor(query.cursor);
    if (after) where.push(gt(enrollments.id, after));
    const rows = await db
      .select({ enrollment: enrollments })
      .from(enrollments)
      .innerJoin(offerings, eq(offerings.id, enrollments.offeringId))
      .where(and(...where))
      .orderBy(asc(enrollments.id))
      .limit(query.limit + 1);
    const page = rows.slice(0, query.limit).map((r) => r.enrollment);
    await logAccess(
      db,
      req,
      'list',
      page.map((e) => e.studentId),
    );
    const last = page.at(-1);
    res.json({
      items: await hydrateEnrollments(db, page),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : null,
    });
  });

  router.get('/v1/enrollments/:id', async (req, res) => {
    const actor = requireActor(req);
    const row = await findEnrollmentRow(db, uuidParam(req.params.id, 'enrollment'));
    if (!row) throw new NotFoundError(`No enrollment ${req.params.id}`);
    const offering = (await findOfferingRow(db, row.offeringId))!;
    const parties = {
      studentId: row.studentId,
      homeSchoolId: row.homeSchoolId,
      providerId: offering.providerId,
      teacherIds: offering.teacherIds,
    };
    if (!mayReadEnrollment(actor, parties)) throw new NotAllowedError('You may not see this enrollment');
    const [enrollment] = await hydrateEnrollments(db, [row]);
    await logAccess(db, req, 'read', [row.studentId]);
    setEtag(res, row.version);
    res.json({ ...enrollment, steps: await stepsOf(db, row.id) });
  });

  router.post('/v1/enrollments/:id/accept', async (req, res) => {
    const actor = requireActor(req);
    parseInput(reasonSchema, req.body ?? {});
    // The hot path of seat allocation: the answer is built from what the transaction returned.
    const { answer } = await workflow.accept(actor, uuidParam(req.params.id, 'enrollment'));
    await logAccess(db, req, 'update', [answer.studentId]);
    setEtag(res, answer.version);
    res.json(answer);
  });
  for (const action of ['consent', 'approve', 'withdraw'] as const) {
    router.post(`/v1/enrollments/:id/${action}`, async (req, res) => {
      const actor = requireActor(req);
      const { reason } = parseInput(reasonSchema, req.body ?? {});
      const row = await workflow.act(actor, uuidParam(req.params.id, 'enrollment'), action, reason);
      await answer(req, res, row.id, 'update');
    });
  }
  router.post('/v1/enrollments/:id/reject', async (req, res) => {
    const actor = requireActor(req);
    const { reason } = parseInput(rejectSchema, req.body ?? {});
    const row = await workflow.act(actor, uuidParam(req.params.id, 'enrollment'), 'reject', reason);
    await answer(req, res, row.id, 'update');
  });
  router.post('/v1/enrollments/:id/complete', async (req, res) => {
    const actor = requireActor(req);
    const result = parseInput(completeSchema, req.body ?? {});
    const row = await workflow.complete(actor, uuidParam(req.params.id, 'enrollment'), result);
    await answer(req, res, row.id, 'update');
  });
  router.post('/v1/enrollments/:id/credit', async (req, res) => {
    const actor = requireActor(req);
    const input = parseInput(creditSchema, req.body ?? {});
    const row = await workflow.decideCredit(actor, uuidParam(req.params.id, 'enrollment'), input);
    await answer(req, res, row.id, 'update');
  });

  return router;
}
