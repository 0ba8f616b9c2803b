import type { EnrollmentEvent } from '@mathnet/contracts';
import type { Db, Tx } from '@mathnet/db';
import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import { activeStatuses, type EnrollmentStatus } from '../domain/enrollment-machine';
import { creditDecisions, enrollmentSteps, enrollments, offerings, personView } from './schema';

export type EnrollmentRow = typeof enrollments.$inferSelect;
type CreditRow = typeof creditDecisions.$inferSelect;

/** The API shape of an enrollment. */
export interface Enrollment {
  id: string;
  offeringId: string;
  offering: { title: string; providerId: string; kind: string } | null;
  studentId: string;
  student: { givenName: string; familyName: string } | null;
  homeSchoolId: string | null;
  status: EnrollmentStatus;
  needsConsent: boolean;
  reason: string | null;
  result: {
    mark: string | null;
    hours: number | null;
    passed: boolean;
    certificateNumber: string | null;
  } | null;
  credit: {
    decision: string;
    subject: string | null;
    hours: number | null;
    note: string | null;
    decidedBy: string;
    decidedAt: string;
  } | null;
  requestedBy: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export function toEnrollment(
  row: EnrollmentRow,
  extra: {
    offering?: Enrollment['offering'];
    student?: Enrollment['student'];
    credit?: CreditRow | null;
  } = {},
): Enrollment {
  return {
    id: row.id,
    offeringId: row.offeringId,
    offering: extra.offering ?? null,
    studentId: row.studentId,
    student: extra.student ?? null,
    homeSchoolId: row.homeSchoolId,
    status: row.status as EnrollmentStatus,
    needsConsent: row.needsConsent,
    reason: row.reason,
    result:
      row.passed === null
        ? null
        : {
            mark: row.mark,
            hours: row.resultHours,
            passed: row.passed,
            certificateNumber: row.certificateNumber,
          },
    credit: extra.credit
      ? {
          decision: extra.credit.decision,
          subject: extra.credit.subject,
          hours: extra.credit.hours,
          note: extra.credit.note,
          decidedBy: extra.credit.decidedBy,
          decidedAt: extra.credit.decidedAt.toISOString(),
        }
      : null,
    requestedBy: row.requestedBy,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** What every enrollment event carries. */
export function enrollmentEvent(row: EnrollmentRow, providerId: string, actorId: string): EnrollmentEvent {
  return {
    id: row.id,
    offeringId: row.offeringId,
    providerId,
    studentId: row.studentId,
    homeSchoolId: row.homeSchoolId,
    status: row.status as EnrollmentStatus,
    actorId,
    reason: row.reason,
    result:
      row.passed === null
        ? null
        : {
            mark: row.mark,
            hours: row.resultHours,
            passed: row.passed,
            certificateNumber: row.certificateNumber,
          },
    version: row.version,
  };
}

export async function findEnrollmentRow(
  db: Db | Tx,
  id: string,
  forUpdate = false,
): Promise<EnrollmentRow | undefined> {
  const query = db.select().from(enrollments).where(eq(enrollments.id, id));
  const [row] = forUpdate ? await query.for('update') : await query;
  return row;
}

/** Changes an enrollment's fields, bumps its version, and records the step with its actor. */
export async function applyStep(
  tx: Tx,
  current: EnrollmentRow,
  step: {
    action: string;
    actorId: string;
    to: EnrollmentStatus;
    reason?: string | null;
    set?: Partial<EnrollmentRow>;
  },
): Promise<EnrollmentRow> {
  const [row] = await tx
    .update(enrollments)
    .set({
      ...step.set,
      status: step.to,
      ...(step.reason !== undefined ? { reason: step.reason } : {}),
      version: current.version + 1,
      updatedAt: new Date(),
    })
    .where(eq(enrollments.id, current.id))
    .returning();
  await tx.insert(enrollmentSteps).values({
    enrollmentId: current.id,
    action: step.action,
    fromStatus: current.status,
    toStatus: step.to,
    actorId: step.actorId,
    reason: step.reason ?? null,
  });
  return row!;
}

/** The student's active enrollment in an offering, if any (one at a time). */
export async function activeEnrollmentOf(
  tx: Tx,
  offeringId: string,
  studentId: string,
): Promise<EnrollmentRow | undefined> {
  const [row] = await tx
    .select()
    .from(enrollments)
    .where(
      and(
        eq(enrollments.offeringId, offeringId),
        eq(enrollments.studentId, studentId),
        inArray(enrollments.status, activeStatuses),
      ),
    )
    .limit(1);
  return row;
}

/** Offerings (with schedules) of the student's other enrollments in the given statuses. */
export async function otherOfferingsOf(
  tx: Tx,
  studentId: string,
  offeringId: string,
  statuses: EnrollmentStatus[],
) {
  return tx
    .select({
      id: offerings.id,
      title: offerings.title,
      termStart: offerings.termStart,
      termEnd: offerings.termEnd,
      schedule: offerings.schedule,
    })
    .from(enrollments)
    .innerJoin(offerings, eq(offerings.id, enrollments.offeringId))
    .where(
      and(
        eq(enrollments.studentId, studentId),
        ne(enrollments.offeringId, offeringId),
        inArray(enrollments.status, statuses),
      ),
    );
}

/** Seats the home school already holds in the offering. */
export async function enrolledFromSchool(
  tx: Tx,
  offeringId: string,
  homeSchoolId: string | null,
): Promise<number> {
  if (!homeSchoolId) return 0;
  const rows = await tx
    .select({ id: enrollments.id })
    .from(enrollments)
    .where(
      and(
        eq(enrollments.offeringId, offeringId),
        eq(enrollments.status, 'enrolled'),
        eq(enrollments.homeSchoolId, homeSchoolId),
      ),
    );
  return rows.length;
}

/** The waitlist of an offering in request order, locked for promotion. */
export async function waitlistOf(tx: Tx, offeringId: string): Promise<EnrollmentRow[]> {
  return tx
    .select()
    .from(enrollments)
    .where(and(eq(enrollments.offeringId, offeringId), eq(enrollments.status, 'waitlisted')))
    .orderBy(asc(enrollments.seq))
    .for('update');
}

export async function stepsOf(db: Db, enrollmentId: string) {
  const rows = await db
    .select()
    .from(enrollmentSteps)
    .where(eq(enrollmentSteps.enrollmentId, enrollmentId))
    .orderBy(asc(enrollmentSteps.id));
  return rows.map((s) => ({
    action: s.action,
    from: s.fromStatus,
    to: s.toStatus,
    actorId: s.actorId,
    reason: s.reason,
    at: s.at.toISOString(),
  }));
}

/** Enrollment rows with their offering, student and credit decision, for answers. */
export async function hydrateEnrollments(db: Db | Tx, rows: EnrollmentRow[]): Promise<Enrollment[]> {
  if (rows.length === 0) return [];
  const offeringIds = [...new Set(rows.map((r) => r.offeringId))];
  const studentIds = [...new Set(rows.map((r) => r.studentId))];
  const [offeringRows, studentRows, credits] = await Promise.all([
    db
      .select({
        id: offerings.id,
        title: offerings.title,
        providerId: offerings.providerId,
        kind: offerings.kind,
      })
      .from(offerings)
      .where(inArray(offerings.id, offeringIds)),
    db
      .select({ id: personView.id, givenName: personView.givenName, familyName: personView.familyName })
      .from(personView)
      .where(inArray(personView.id, studentIds)),
    db
      .select()
      .from(creditDecisions)
      .where(
        inArray(
          creditDecisions.enrollmentId,
          rows.map((r) => r.id),
        ),
      ),
  ]);
  const offeringOf = new Map(
    offeringRows.map((o) => [o.id, { title: o.title, providerId: o.providerId, kind: o.kind }]),
  );
  const studentOf = new Map(
    studentRows.map((s) => [s.id, { givenName: s.givenName, familyName: s.familyName }]),
  );
  const creditOf = new Map(credits.map((c) => [c.enrollmentId, c]));
  return rows.map((row) =>
    toEnrollment(row, {
      offering: offeringOf.get(row.offeringId) ?? null,
      student: studentOf.get(row.studentId) ?? null,
      credit: creditOf.get(row.id) ?? null,
    }),
  );
}

/** One enrollment as the API answers it, in one query (offering, learner's name and credit joined). */
export async function findEnrollmentAnswer(db: Db | Tx, id: string): Promise<Enrollment | undefined> {
  const [row] = await db
    .select({
      enrollment: enrollments,
      offering: { title: offerings.title, providerId: offerings.providerId, kind: offerings.kind },
      student: { givenName: personView.givenName, familyName: personView.familyName },
      credit: creditDecisions,
    })
    .from(enrollments)
    .innerJoin(offerings, eq(offerings.id, enrollments.offeringId))
    .leftJoin(personView, eq(personView.id, enrollments.studentId))
    .leftJoin(creditDecisions, eq(creditDecisions.enrollmentId, enrollments.id))
    .where(eq(enrollments.id, id));
  if (!row) return undefined;
  return toEnrollment(row.enrollment, {
    offering: row.offering,
    student: row.student?.givenName ? row.student : null,
    credit: row.credit?.enrollmentId ? row.credit : null,
  });
}
