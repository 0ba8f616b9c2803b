import { type Actor, isNetworkAdmin, organisationsWithRole, requireActor } from '@mathnet/auth';
import { type Db, type Emit, idempotent, pgErrorCode, type Tx, type UnitOfWork } from '@mathnet/db';
import {
  ConflictError,
  checkIfMatch,
  InputError,
  idempotencyRequest,
  isUuid,
  NotAllowedError,
  NotFoundError,
  parseInput,
  setEtag,
  uuidParam,
} from '@mathnet/kit';
import { and, eq, inArray, or, type SQL, sql } from 'drizzle-orm';
import { type Request, type Response, Router } from 'express';
import { v7 as uuidv7 } from 'uuid';
import type { RoutePolicy } from '../config';
import {
  mayApproveRoute,
  mayCompleteRouteItem,
  mayEditRoute,
  mayReadRoute,
  type RouteAction,
  type RouteParties,
  type RouteStatus,
  routableEnrollmentStatuses,
  routeStep,
  validateRoute,
} from '../domain/route-rules';
import { routeCsv } from '../export/route-csv';
import { routePdf } from '../export/route-pdf';
import { findEnrollmentRow } from '../store/enrollment-store';
import { findOfferingRow } from '../store/offering-store';
import {
  assembleRoute,
  completeItemAction,
  findRouteRow,
  itemsOf,
  listRoutes,
  type RouteRow,
  recordHistory,
  updateRoute,
} from '../store/route-store';
import { idempotencyKeys, organisationView, personView, routeItems, routes } from '../store/schema';
import { logAccess } from './access-log-router';
import {
  activityItemSchema,
  enrollmentItemSchema,
  itemCompleteSchema,
  type Route,
  routeApproveSchema,
  routeCreateSchema,
  routeExportQuerySchema,
  routeListQuerySchema,
  routePatchSchema,
  routeReturnSchema,
} from './route-schemas';

type RouteSet = Partial<typeof routes.$inferInsert>;

/** The routes an actor may list: the district all; school staff their school's; students, parents and mentors their own. */
function visibleRoutes(actor: Actor): SQL | undefined {
  if (isNetworkAdmin(actor)) return undefined;
  const parts: SQL[] = [];
  // Token claims are strings; only UUIDs can match a uuid column (anything else would be a database error).
  const staffOrgs = organisationsWithRole(actor, ['school_admin', 'teacher']).filter((id) => isUuid(id));
  if (staffOrgs.length) parts.push(inArray(routes.homeSchoolId, staffOrgs));
  const children = actor.roles.flatMap((r) =>
    r.role === 'parent' && r.studentId && isUuid(r.studentId) ? [r.studentId] : [],
  );
  if (children.length) parts.push(inArray(routes.studentId, children));
  if (actor.kind === 'person' && isUuid(actor.subject))
    parts.push(eq(routes.studentId, actor.subject), eq(routes.mentorId, actor.subject));
  return parts.length ? or(...parts) : sql`false`;
}

const partiesOf = (row: RouteRow): RouteParties => ({
  studentId: row.studentId,
  homeSchoolId: row.homeSchoolId,
  mentorId: row.mentorId,
});

/** A mentor is a teacher (or coordinator, or partner staff) known to the network. */
async function assertMentor(tx: Tx, mentorId: string | null | undefined): Promise<void> {
  if (!mentorId) return;
  const [person] = await tx.select().from(personView).where(eq(personView.id, mentorId));
  const mentors = ['teacher', 'school_admin', 'partner'];
  if (person?.status !== 'active' || !person.roles.some((r) => mentors.includes(r.role))) {
    throw new InputError(`mentorId: ${mentorId} is not an active teacher of the network`);
  }
}

function assertValid(
  items: Parameters<typeof validateRoute>[0],
  policy: RoutePolicy,
  year: string,
  action: string,
): void {
  const problems = validateRoute(items, policy, year);
  if (problems.length) {
    throw new ConflictError(`The route cannot be ${action}: ${problems.map((p) => p.message).join('; ')}`, {
      problems,
    });
  }
}

/** One change of a route: who may, which workflow step it is, and what it does besides. */
interface Mutation {
  action: RouteAction;
  history: string;
  may: (actor: Actor, parties: RouteParties) => boolean;
  denied: string;
  /** Runs under the route's lock before the status changes; returns fields to set and history detail. */
  run?: (
    tx: Tx,
    current: RouteRow,
    actor: Actor,
  ) => Promise<{ set?: RouteSet; detail?: Record<string, unknown> } | undefined>;
  /** Runs after the change is recorded, e.g. to emit an event. */
  after?: (row: RouteRow, totalHours: number, emit: Emit, actor: Actor) => void;
}

/** `/v1/routes`: individual curricula / routes (ИУП / ИОМ) of students, one per student and academic year. */
export function routesRouter(db: Db, work: UnitOfWork, policy: RoutePolicy): Router {
  const router = Router();

  /** Answers with the route (the student's and mentor's names, plans, marks: logged as an access). */
  const send = async (
    req: Request,
    res: Response,
    row: RouteRow,
    action: 'read' | 'update',
    status = 200,
  ): Promise<Route> => {
    const route = await assembleRoute(db, row, policy);
    await logAccess(db, req, action, [route.studentId, route.mentorId]);
    setEtag(res, row.version);
    res.status(status).json(route);
    return route;
  };

  /** Runs a mutation in one transaction under the route's row lock, with its history row (and events). */
  const mutate = (req: Request<{ id: string }>, m: Mutation): Promise<RouteRow> => {
    const actor = requireActor(req);
    const id = uuidParam(req.params.id, 'route');
    return work.run(async (tx, emit) => {
      const current = await findRouteRow(tx, id, true);
      if (!current) throw new NotFoundError(`No route ${id}`);
      if (!m.may(actor, partiesOf(current))) throw new NotAllowedError(m.denied);
      checkIfMatch(req, current.version);
      const step = routeStep(m.action, current.status as RouteStatus);
      const done = await m.run?.(tx, current, actor);
      const set: RouteSet = { status: step.status, ...done?.set };
      if (step.newVersion) {
        Object.assign(set, {
          routeVersion: current.routeVersion + 1,
          orderNumber: null,
          orderDate: null,
          approvedBy: null,
          approvedAt: null,
        });
      }
      const row = await updateRoute(tx, current, set);
      const items = await recordHistory(tx, row, m.history, actor.subject, done?.detail);
      m.after?.(
        row,
        items.reduce((sum, i) => sum + i.hours, 0),
        emit,
        actor,
      );
      return row;
    });
  };

  router.post('/v1/routes', async (req, res) => {
    const actor = requireActor(req);
    const input = parseInput(routeCreateSchema, req.body);
    const [person] = await db.select().from(personView).where(eq(personView.id, input.studentId));
    const studentRole =
      person?.status === 'active' ? person.roles.find((r) => r.role === 'student') : undefined;
    if (!studentRole)
      throw new InputError(`studentId: ${input.studentId} is not an active student of the network`);
    const homeSchoolId = studentRole.organisationId;
    if (!mayEditRoute(actor, { studentId: input.studentId, homeSchoolId })) {
      throw new NotAllowedError(
        'A route is drawn up by the student, a parent, or the home-school coordinator',
      );
    }
    const answer = await idempotent(
      db,
      idempotencyKeys,
      idempotencyRequest(req, actor.subject),
      async (keep) => {
        try {
          return await work.run(async (tx) => {
            await assertMentor(tx, input.mentorId);
            const [existing] = await tx
              .select({ id: routes.id })
              .from(routes)
              .where(and(eq(routes.studentId, input.studentId), eq(routes.academicYear, input.academicYear)));
            if (existing)
              throw new ConflictError(`The student already has a route for ${input.academicYear}`, {
                routeId: existing.id,
              });
            const [created] = await tx
              .insert(routes)
              .values({
                id: uuidv7(),
                studentId: input.studentId,
                homeSchoolId,
                academicYear: input.academicYear,
                goals: input.goals ?? null,
                mentorId: input.mentorId ?? null,
                individualProject: input.individualProject ?? null,
              })
              .returning();
            await recordHistory(tx, created!, 'create', actor.subject);
            return keep(tx, { status: 201, body: await assembleRoute(tx, created!, policy) });
          });
        } catch (error) {
          // Two requests for the same student and year raced past the check: the unique index decides.
          if (pgErrorCode(error) === '23505')
            throw new ConflictError(`The student already has a route for ${input.academicYear}`);
          throw error;
        }
      },
    );
    await logAccess(db, req, 'create', [answer.body.studentId, answer.body.mentorId]);
    res.setHeader('Location', `/v1/routes/${answer.body.id}`);
    setEtag(res, answer.body.version);
    res.status(answer.status).json(answer.body);
  });

  router.get('/v1/routes', async (req, res) => {
    const actor = requireActor(req);
    const query = parseInput(routeListQuerySchema, req.query, 'query');
    const page = await listRoutes(db, query, visibleRoutes(actor));
    await logAccess(
      db,
      req,
      'list',
      page.items.flatMap((r) => [r.studentId, r.mentorId]),
    );
    res.json(page);
  });

  const readable = async (req: Request<{ id: string }>): Promise<RouteRow> => {
    const actor = requireActor(req);
    const row = await findRouteRow(db, uuidParam(req.params.id, 'route'));
    if (!row) throw new NotFoundError(`No route ${req.params.id}`);
    if (!mayReadRoute(actor, partiesOf(row))) throw new NotAllowedError('You may not see this route');
    return row;
  };

  router.get('/v1/routes/:id', async (req, res) => {
    await send(req, res, await readable(req), 'read');
  });

  const editDenied = 'A route is changed by the student, a parent, or the home-school coordinator';

  router.patch('/v1/routes/:id', async (req, res) => {
    const patch = parseInput(routePatchSchema, req.body);
    const row = await mutate(req, {
      action: 'change',
      history: 'update',
      may: mayEditRoute,
      denied: editDenied,
      run: async (tx) => {
        await assertMentor(tx, patch.mentorId);
        return { set: patch };
      },
    });
    await send(req, res, row, 'update');
  });

  router.post('/v1/routes/:id/items', async (req, res) => {
    const actor = requireActor(req);
    const body: unknown = req.body;
    const fromEnrollment = typeof body === 'object' && body !== null && 'enrollmentId' in body;
    const input = fromEnrollment
      ? parseInput(enrollmentItemSchema, body)
      : parseInput(activityItemSchema, body);
    const itemId = uuidv7();
    const answer = await idempotent(db, idempotencyKeys, idempotencyRequest(req, actor.subject), async () => {
      const row = await mutate(req, {
        action: 'change',
        history: 'add_item',
        may: mayEditRoute,
        denied: editDenied,
        run: async (tx, current) => {
          const values =
            'enrollmentId' in input
              ? await enrollmentItem(tx, current, input.enrollmentId)
              : await activityItem(tx, input);
          await tx.insert(routeItems).values({ ...values, id: itemId, routeId: current.id });
          return { detail: { itemId, title: values.title } };
        },
      });
      return { status: 201, body: await assembleRoute(db, row, policy) };
    });
    await logAccess(db, req, 'update', [answer.body.studentId, answer.body.mentorId]);
    const added = answer.body.history.at(-1)?.snapshot.detail as { itemId?: string } | undefined;
    res.setHeader('Location', `/v1/routes/${answer.body.id}/items/${added?.itemId ?? itemId}`);
    setEtag(res, answer.body.version);
    res.status(answer.status).json(answer.body);
  });

  router.get('/v1/routes/:id/items/:itemId', async (req, res) => {
    const row = await readable(req);
    const itemId = uuidParam(req.params.itemId, 'route item');
    const item = (await itemsOf(db, row.id)).find((i) => i.id === itemId);
    if (!item) throw new NotFoundError(`No item ${itemId} in route ${row.id}`);
    await logAccess(db, req, 'read', [row.studentId]);
    res.json(item);
  });

  router.delete('/v1/routes/:id/items/:itemId', async (req, res) => {
    const itemId = uuidParam(req.params.itemId, 'route item');
    const row = await mutate(req, {
      action: 'change',
      history: 'remove_item',
      may: mayEditRoute,
      denied: editDenied,
      run: async (tx, current) => {
        const [removed] = await tx
          .delete(routeItems)
          .where(and(eq(routeItems.id, itemId), eq(routeItems.routeId, current.id)))
          .returning();
        if (!removed) throw new NotFoundError(`No item ${itemId} in route ${current.id}`);
        return { detail: { itemId, title: removed.title } };
      },
    });
    await send(req, res, row, 'update');
  });

  router.post('/v1/routes/:id/items/:itemId/complete', async (req, res) => {
    const itemId = uuidParam(req.params.itemId, 'route item');
    const input = parseInput(itemCompleteSchema, req.body ?? {});
    const row = await mutate(req, {
      action: 'complete_item',
      history: completeItemAction,
      may: mayCompleteRouteItem,
      denied: 'The home-school coordinator or the mentor records activities as done',
      run: async (tx, current) => {
        const [item] = await tx
          .select()
          .from(routeItems)
          .where(and(eq(routeItems.id, itemId), eq(routeItems.routeId, current.id)));
        if (!item) throw new NotFoundError(`No item ${itemId} in route ${current.id}`);
        if (item.kind === 'enrollment')
          throw new ConflictError(
            'An enrollment is completed by its provider recording the result, not here',
          );
        const hours = input.hours ?? item.hours;
        if (hours > item.hours) throw new InputError(`hours: at most the ${item.hours} planned hours`);
        return { detail: { itemId, completedHours: hours } };
      },
    });
    await send(req, res, row, 'update');
  });

  router.post('/v1/routes/:id/submit', async (req, res) => {
    const row = await mutate(req, {
      action: 'submit',
      history: 'submit',
      may: mayEditRoute,
      denied: 'A route is submitted by the student, a parent, or the home-school coordinator',
      run: async (tx, current) => {
        assertValid(await itemsOf(tx, current.id), policy, current.academicYear, 'submitted');
        return undefined;
      },
    });
    await send(req, res, row, 'update');
  });

  router.post('/v1/routes/:id/approve', async (req, res) => {
    const input = parseInput(routeApproveSchema, req.body ?? {});
    const row = await mutate(req, {
      action: 'approve',
      history: 'approve',
      may: mayApproveRoute,
      denied: 'Only the home-school coordinator (or the district) approves a route',
      run: async (tx, current, actor) => {
        assertValid(await itemsOf(tx, current.id), policy, current.academicYear, 'approved');
        return {
          set: {
            orderNumber: input.orderNumber,
            orderDate: input.orderDate,
            approvedBy: actor.subject,
            approvedAt: new Date(),
          },
        };
      },
      after: (r, totalHours, emit, actor) =>
        emit({
          type: 'mathnet.courses.route.approved',
          subject: r.id,
          data: {
            id: r.id,
            studentId: r.studentId,
            homeSchoolId: r.homeSchoolId,
            academicYear: r.academicYear,
            version: r.routeVersion,
            totalHours: Math.round(totalHours * 100) / 100,
            approvedBy: actor.subject,
            orderNumber: input.orderNumber,
            orderDate: input.orderDate,
          },
        }),
    });
    await send(req, res, row, 'update');
  });

  router.post('/v1/routes/:id/return', async (req, res) => {
    const { reason } = parseInput(routeReturnSchema, req.body ?? {});
    const row = await mutate(req, {
      action: 'return',
      history: 'return',
      may: mayApproveRoute,
      denied: 'Only the home-school coordinator (or the district) returns a route for changes',
      run: async () => ({ detail: { reason } }),
    });
    await send(req, res, row, 'update');
  });

  router.get('/v1/routes/:id/export', async (req, res) => {
    const row = await readable(req);
    const { format } = parseInput(routeExportQuerySchema, req.query, 'query');
    const route = await assembleRoute(db, row, policy);
    await logAccess(db, req, 'export', [route.studentId, route.mentorId]);
    const name = `route-${route.academicYear.replace('/', '-')}-${route.studentId}`;
    setEtag(res, row.version);
    if (format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="${name}.csv"`);
      res.send(routeCsv(route));
      return;
    }
    const pdf = await routePdf(route);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `attachment; filename="${name}.pdf"`);
    res.send(pdf);
  });

  return router;
}

/** An enrollment item: the student's own enrollment, with a seat granted or sought, not yet in the route. */
async function enrollmentItem(tx: Tx, route: RouteRow, enrollmentId: string) {
  const enrollment = await findEnrollmentRow(tx, enrollmentId);
  if (!enrollment || enrollment.studentId !== route.studentId) {
    throw new InputError(`enrollmentId: ${enrollmentId} is not an enrollment of this student`);
  }
  if (!(routableEnrollmentStatuses as readonly string[]).includes(enrollment.status)) {
    throw new ConflictError(
      `The enrollment is ${enrollment.status}; a route takes ${routableEnrollmentStatuses.join(', ')} enrollments`,
    );
  }
  const [already] = await tx
    .select({ id: routeItems.id })
    .from(routeItems)
    .where(and(eq(routeItems.routeId, route.id), eq(routeItems.enrollmentId, enrollmentId)));
  if (already) throw new ConflictError('The enrollment is already in the route', { itemId: already.id });
  const offering = (await findOfferingRow(tx, enrollment.offeringId))!;
  return {
    kind: 'enrollment',
    enrollmentId,
    providerId: offering.providerId,
    title: offering.title,
    subject: offering.subjects[0] ?? 'other',
    level: offering.level,
    hours: offering.hours ?? 0,
  };
}

async function activityItem(tx: Tx, input: ReturnType<typeof activityItemSchema.parse>) {
  if (input.providerId) {
    const [org] = await tx
      .select({ id: organisationView.id })
      .from(organisationView)
      .where(eq(organisationView.id, input.providerId));
    if (!org) throw new InputError(`providerId: ${input.providerId} is not an organisation of the network`);
  }
  return {
    kind: input.kind,
    enrollmentId: null,
    providerId: input.providerId ?? null,
    title: input.title,
    subject: input.subject,
    level: input.level ?? 'basic',
    hours: input.hours,
    topic: input.topic ?? null,
    supervisor: input.supervisor ?? null,
  };
}
