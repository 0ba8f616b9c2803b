import type { Db, Tx } from '@mathnet/db';
import { decodeCursor, encodeCursor } from '@mathnet/kit';
import { and, asc, eq, gt, inArray, type SQL, sql } from 'drizzle-orm';
import type { RoutePolicy } from '../config';
import {
  type RouteLevel,
  type RouteStatus,
  routeProgress,
  routeTotals,
  validateRoute,
} from '../domain/route-rules';
import type { Route, RouteItem, RouteSummary } from '../http/route-schemas';
import {
  enrollments,
  offerings,
  organisationView,
  personView,
  routeHistory,
  routeItems,
  routes,
} from './schema';

export type RouteRow = typeof routes.$inferSelect;
type PersonName = { givenName: string; familyName: string; middleName: string | null };
type OrgName = { name: string; shortName: string | null };

/** The history action that records an activity as done; its snapshot's `detail` names the item and hours. */
export const completeItemAction = 'complete_item';

export async function findRouteRow(
  db: Db | Tx,
  id: string,
  forUpdate = false,
): Promise<RouteRow | undefined> {
  const query = db.select().from(routes).where(eq(routes.id, id));
  const [row] = forUpdate ? await query.for('update') : await query;
  return row;
}

export async function personNames(db: Db | Tx, ids: (string | null)[]): Promise<Map<string, PersonName>> {
  const wanted = [...new Set(ids.filter((id): id is string => !!id))];
  if (wanted.length === 0) return new Map();
  const rows = await db
    .select({
      id: personView.id,
      givenName: personView.givenName,
      familyName: personView.familyName,
      middleName: personView.middleName,
    })
    .from(personView)
    .where(inArray(personView.id, wanted));
  return new Map(rows.map(({ id, ...name }) => [id, name]));
}

export async function organisationNames(db: Db | Tx, ids: (string | null)[]): Promise<Map<string, OrgName>> {
  const wanted = [...new Set(ids.filter((id): id is string => !!id))];
  if (wanted.length === 0) return new Map();
  const rows = await db
    .select({ id: organisationView.id, name: organisationView.name, shortName: organisationView.shortName })
    .from(organisationView)
    .where(inArray(organisationView.id, wanted));
  return new Map(rows.map(({ id, ...name }) => [id, name]));
}

/** Hours recorded as done per activity item (from the route's history). */
async function completedActivities(db: Db | Tx, routeId: string): Promise<Map<string, number>> {
  const rows = await db
    .select({ snapshot: routeHistory.snapshot })
    .from(routeHistory)
    .where(and(eq(routeHistory.routeId, routeId), eq(routeHistory.action, completeItemAction)))
    .orderBy(asc(routeHistory.id));
  const done = new Map<string, number>();
  for (const { snapshot } of rows) {
    const detail = (snapshot as { detail?: { itemId?: string; completedHours?: number } }).detail;
    if (detail?.itemId !== undefined && typeof detail.completedHours === 'number')
      done.set(detail.itemId, detail.completedHours);
  }
  return done;
}

/** The items of a route with their enrollment's state, provider and completed hours, in the order added. */
export async function itemsOf(db: Db | Tx, routeId: string): Promise<RouteItem[]> {
  const [rows, done] = await Promise.all([
    db
      .select({
        item: routeItems,
        enrollmentStatus: enrollments.status,
        resultHours: enrollments.resultHours,
        offeringId: offerings.id,
        offeringKind: offerings.kind,
        termStart: offerings.termStart,
        termEnd: offerings.termEnd,
        providerName: organisationView.name,
        providerShortName: organisationView.shortName,
      })
      .from(routeItems)
      .leftJoin(enrollments, eq(enrollments.id, routeItems.enrollmentId))
      .leftJoin(offerings, eq(offerings.id, enrollments.offeringId))
      .leftJoin(organisationView, eq(organisationView.id, routeItems.providerId))
      .where(eq(routeItems.routeId, routeId))
      .orderBy(asc(routeItems.id)),
    completedActivities(db, routeId),
  ]);
  return rows.map((r) => {
    const { item } = r;
    const isEnrollment = item.kind === 'enrollment';
    const completedHours = isEnrollment
      ? r.enrollmentStatus === 'completed'
        ? (r.resultHours ?? item.hours)
        : 0
      : (done.get(item.id) ?? 0);
    return {
      id: item.id,
      kind: item.kind as RouteItem['kind'],
      enrollmentId: item.enrollmentId,
      enrollmentStatus: (r.enrollmentStatus ?? null) as RouteItem['enrollmentStatus'],
      offeringId: r.offeringId ?? null,
      offeringKind: r.offeringKind ?? null,
      providerId: item.providerId,
      provider: r.providerName ? { name: r.providerName, shortName: r.providerShortName ?? null } : null,
      title: item.title,
      subject: item.subject,
      level: item.level as RouteLevel,
      hours: item.hours,
      completedHours,
      status: isEnrollment ? (r.enrollmentStatus ?? 'unknown') : done.has(item.id) ? 'done' : 'planned',
      topic: item.topic,
      supervisor: item.supervisor,
      termStart: r.termStart ?? null,
      termEnd: r.termEnd ?? null,
      createdAt: item.createdAt.toISOString(),
    };
  });
}

function routeCore(row: RouteRow, people: Map<string, PersonName>, orgs: Map<string, OrgName>) {
  return {
    id: row.id,
    studentId: row.studentId,
    student: people.get(row.studentId) ?? null,
    homeSchoolId: row.homeSchoolId,
    homeSchool: orgs.get(row.homeSchoolId) ?? null,
    academicYear: row.academicYear,
    status: row.status as RouteStatus,
    routeVersion: row.routeVersion,
    goals: row.goals,
    mentorId: row.mentorId,
    mentor: row.mentorId ? (people.get(row.mentorId) ?? null) : null,
    individualProject: row.individualProject ?? null,
    approval:
      row.orderNumber && row.orderDate && row.approvedBy && row.approvedAt
        ? {
            orderNumber: row.orderNumber,
            orderDate: row.orderDate,
            approvedBy: row.approvedBy,
            approvedAt: row.approvedAt.toISOString(),
          }
        : null,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** What a history row keeps: the route's fields and items right after the action, and what the action was about. */
function snapshotOf(row: RouteRow, items: RouteItem[], detail?: Record<string, unknown>) {
  return {
    route: {
      academicYear: row.academicYear,
      status: row.status,
      routeVersion: row.routeVersion,
      goals: row.goals,
      mentorId: row.mentorId,
      individualProject: row.individualProject,
      orderNumber: row.orderNumber,
      orderDate: row.orderDate,
      approvedBy: row.approvedBy,
      approvedAt: row.approvedAt?.toISOString() ?? null,
    },
    items: items.map((i) => ({
      id: i.id,
      kind: i.kind,
      enrollmentId: i.enrollmentId,
      providerId: i.providerId,
      title: i.title,
      subject: i.subject,
      level: i.level,
      hours: i.hours,
      completedHours: i.completedHours,
      topic: i.topic,
      supervisor: i.supervisor,
    })),
    totalHours: routeTotals(items).totalHours,
    ...(detail ? { detail } : {}),
  };
}

/** Appends one history row for `row` as it is now (call after the change, in the same transaction). */
export async function recordHistory(
  tx: Tx,
  row: RouteRow,
  action: string,
  actorId: string,
  detail?: Record<string, unknown>,
): Promise<RouteItem[]> {
  const items = await itemsOf(tx, row.id);
  await tx.insert(routeHistory).values({
    routeId: row.id,
    routeVersion: row.routeVersion,
    action,
    status: row.status,
    snapshot: snapshotOf(row, items, detail),
    actorId,
  });
  return items;
}

/** The whole route as the API answers it: items, totals, progress, validation against `policy`, history. */
export async function assembleRoute(db: Db | Tx, row: RouteRow, policy: RoutePolicy): Promise<Route> {
  const [items, people, orgs, history] = await Promise.all([
    itemsOf(db, row.id),
    personNames(db, [row.studentId, row.mentorId]),
    organisationNames(db, [row.homeSchoolId]),
    db.select().from(routeHistory).where(eq(routeHistory.routeId, row.id)).orderBy(asc(routeHistory.id)),
  ]);
  const problems = validateRoute(items, policy, row.academicYear);
  return {
    ...routeCore(row, people, orgs),
    items,
    totals: routeTotals(items),
    progress: routeProgress(items),
    validation: { valid: problems.length === 0, problems },
    history: history.map((h) => ({
      routeVersion: h.routeVersion,
      action: h.action,
      status: h.status as RouteStatus,
      actorId: h.actorId,
      at: h.at.toISOString(),
      snapshot: h.snapshot as Record<string, unknown>,
    })),
  };
}

/** Changes route fields and bumps the record version (the ETag). */
export async function updateRoute(
  tx: Tx,
  current: RouteRow,
  set: Partial<typeof routes.$inferInsert>,
): Promise<RouteRow> {
  const [row] = await tx
    .update(routes)
    .set({ ...set, version: current.version + 1, updatedAt: new Date() })
    .where(eq(routes.id, current.id))
    .returning();
  return row!;
}

/** A page of route summaries matching `filters` within what `visible` lets the actor see. */
export async function listRoutes(
  db: Db,
  query: {
    limit: number;
    cursor?: string | undefined;
    studentId?: string | undefined;
    academicYear?: string | undefined;
    status?: string | undefined;
    organisationId?: string | undefined;
  },
  visible: SQL | undefined,
): Promise<{ items: RouteSummary[]; nextCursor: string | null }> {
  const where: SQL[] = [];
  if (visible) where.push(visible);
  if (query.studentId) where.push(eq(routes.studentId, query.studentId));
  if (query.academicYear) where.push(eq(routes.academicYear, query.academicYear));
  if (query.status) where.push(eq(routes.status, query.status));
  if (query.organisationId) where.push(eq(routes.homeSchoolId, query.organisationId));
  const after = decodeCursor(query.cursor);
  if (after) where.push(gt(routes.id, after));
  const rows = await db
    .select()
    .from(routes)
    .where(and(...where))
    .orderBy(asc(routes.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  if (page.length === 0) return { items: [], nextCursor: null };
  const ids = page.map((r) => r.id);
  const [sums, people, orgs] = await Promise.all([
    db
      .select({
        routeId: routeItems.routeId,
        hours: sql<string>`coalesce(sum(${routeItems.hours}), 0)`,
        count: sql<number>`count(*)::int`,
      })
      .from(routeItems)
      .where(inArray(routeItems.routeId, ids))
      .groupBy(routeItems.routeId),
    personNames(
      db,
      page.flatMap((r) => [r.studentId, r.mentorId]),
    ),
    organisationNames(
      db,
      page.map((r) => r.homeSchoolId),
    ),
  ]);
  const sumOf = new Map(sums.map((s) => [s.routeId, s]));
  const last = page.at(-1)!;
  return {
    items: page.map((row) => ({
      ...routeCore(row, people, orgs),
      totalHours: Number(sumOf.get(row.id)?.hours ?? 0),
      itemCount: Number(sumOf.get(row.id)?.count ?? 0),
    })),
    nextCursor: rows.length > query.limit ? encodeCursor(last.id) : null,
  };
}
