import type { DbQueryResult, Tx } from '@mathnet/db';
import { type Query, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { EnrollmentStatus } from '../domain/enrollment-machine';
import type { EnrollmentRow } from './enrollment-store';
import { enrollmentSteps, enrollments, offerings, personView } from './schema';

/*
 * The provider's acceptance is the hot path of seat allocation (hundreds a second when a
 * popular catalogue opens), so it runs as two hand-written statements inside the unit of
 * work instead of six query-builder round trips plus a re-read for the answer: every round
 * trip costs a socket write and a wake-up on both sides, and drizzle's select builder costs
 * more CPU per call than the statement itself. Both statements are rendered once, here, and
 * run as named prepared statements: on PostgreSQL each pooled connection parses and plans
 * them once (PGlite runs them as plain queries). Columns are listed, never `*`, so a column
 * added by a later migration cannot change a cached plan's result type.
 */

const dialect = new PgDialect();
const param = (name: string) => sql.placeholder(name);

/** Runs a statement rendered once by {@link dialect}, prepared under `name` on the transaction's connection. */
async function runPrepared<Row>(
  tx: Tx,
  name: string,
  query: Query,
  values: Record<string, unknown>,
): Promise<Row[]> {
  const prepared = tx._.session.prepareQuery<{
    execute: DbQueryResult<Row>;
    all: unknown;
    values: unknown;
  }>(query, undefined, name, false);
  return (await prepared.execute(values)).rows;
}

/** The offering and the enrollment as the acceptance needs them, both row-locked. */
export interface LockedForAcceptance {
  offering: {
    id: string;
    title: string;
    kind: string;
    providerId: string;
    teacherIds: string[];
    capacity: number;
    schoolQuota: number | null;
    enrolledCount: number;
  };
  enrollment: {
    id: string;
    studentId: string;
    homeSchoolId: string | null;
    status: EnrollmentStatus;
    needsConsent: boolean;
    version: number;
  };
}

type LockedRaw = {
  offering_id: string;
  title: string;
  kind: string;
  provider_id: string;
  teacher_ids: string[];
  capacity: number;
  school_quota: number | null;
  enrolled_count: number;
  student_id: string;
  home_school_id: string | null;
  status: string;
  needs_consent: boolean;
  version: number;
};

const lockQuery = dialect.sqlToQuery(sql`
  select o.id as offering_id, o.title, o.kind, o.provider_id, o.teacher_ids::text[] as teacher_ids,
    o.capacity, o.school_quota, o.enrolled_count,
    e.student_id, e.home_school_id, e.status, e.needs_consent, e.version
  from ${offerings} o join ${enrollments} e on e.offering_id = o.id
  where e.id = ${param('enrollmentId')}::uuid
  for update of o, e`);

/**
 * Locks the enrollment's offering, then the enrollment, in one statement: `FOR UPDATE OF o, e`
 * takes the row locks in that order (PostgreSQL locks in the order of the OF list), the same
 * order as every other transition, so no deadlock; a lock that had to wait returns the row as
 * the committed transaction left it, so `enrolledCount` is exact.
 */
export async function lockForAcceptance(
  tx: Tx,
  enrollmentId: string,
): Promise<LockedForAcceptance | undefined> {
  const rows = await runPrepared<LockedRaw>(tx, 'courses_accept_lock', lockQuery, { enrollmentId });
  const r = rows[0];
  if (!r) return undefined;
  return {
    offering: {
      id: r.offering_id,
      title: r.title,
      kind: r.kind,
      providerId: r.provider_id,
      teacherIds: r.teacher_ids,
      capacity: r.capacity,
      schoolQuota: r.school_quota,
      enrolledCount: r.enrolled_count,
    },
    enrollment: {
      id: enrollmentId,
      studentId: r.student_id,
      homeSchoolId: r.home_school_id,
      status: r.status as EnrollmentStatus,
      needsConsent: r.needs_consent,
      version: r.version,
    },
  };
}

/** The accepted enrollment as stored, and the learner's name for the answer. */
export interface Acceptance {
  row: EnrollmentRow;
  student: { givenName: string; familyName: string } | null;
}

type AcceptedRaw = {
  id: string;
  offering_id: string;
  student_id: string;
  home_school_id: string | null;
  status: string;
  seq: string | number | bigint;
  needs_consent: boolean;
  reason: string | null;
  mark: string | null;
  result_hours: string | number | null;
  passed: boolean | null;
  certificate_number: string | null;
  requested_by: string;
  version: number;
  created_at: string | Date;
  updated_at: string | Date;
  given_name: string | null;
  family_name: string | null;
};

const enrollmentColumns = sql.raw(
  [
    'id',
    'offering_id',
    'student_id',
    'home_school_id',
    'status',
    'seq',
    'needs_consent',
    'reason',
    'mark',
    'result_hours',
    'passed',
    'certificate_number',
    'requested_by',
    'version',
    'created_at',
    'updated_at',
  ]
    .map((column) => `e.${column}`)
    .join(', '),
);
const settleQuery = dialect.sqlToQuery(sql`
  with decision as (
    select case
      when ${param('decided')}::text is not null then ${param('decided')}::text
      when (select count(*) from ${enrollments}
            where offering_id = ${param('offeringId')}::uuid and status = 'enrolled'
              and home_school_id = ${param('homeSchoolId')}::uuid) < ${param('quota')}::int
        then 'enrolled'
      else 'waitlisted' end as status
  ), changed as (
    update ${enrollments} e set status = d.status, version = e.version + 1, updated_at = now()
    from decision d where e.id = ${param('enrollmentId')}::uuid
    returning ${enrollmentColumns}
  ), step as (
    insert into ${enrollmentSteps} (enrollment_id, action, from_status, to_status, actor_id, reason)
    select id, 'accept', ${param('fromStatus')}::text, status, ${param('actorId')}::text, null from changed
  ), seat as (
    update ${offerings} set enrolled_count = enrolled_count + 1
    where id = ${param('offeringId')}::uuid and exists (select 1 from changed where status = 'enrolled')
  )
  select c.*, p.given_name, p.family_name
  from changed c left join ${personView} p on p.id = c.student_id`);

/**
 * Settles an acceptance under the locks of {@link lockForAcceptance}, in one statement:
 * decides enrolled or waitlisted, updates the enrollment (status, version + 1), records the
 * step with its actor, takes the seat, and returns the row with the learner's name.
 *
 * The capacity test uses the locked `enrolledCount` (exact). A school quota needs a count
 * of the school's enrolled rows; it runs inside this statement, whose snapshot is taken after
 * the offering's lock was granted, so every seat taken before (all under that lock) is seen.
 */
export async function settleAcceptance(
  tx: Tx,
  locked: LockedForAcceptance,
  actorId: string,
): Promise<Acceptance> {
  const { offering, enrollment } = locked;
  // Decided here when the locked row answers it; left to the quota count otherwise.
  const decided: EnrollmentStatus | null =
    offering.enrolledCount >= offering.capacity
      ? 'waitlisted'
      : offering.schoolQuota === null || enrollment.homeSchoolId === null
        ? 'enrolled'
        : null;
  const rows = await runPrepared<AcceptedRaw>(tx, 'courses_accept_settle', settleQuery, {
    decided,
    offeringId: offering.id,
    homeSchoolId: enrollment.homeSchoolId,
    quota: offering.schoolQuota,
    enrollmentId: enrollment.id,
    fromStatus: enrollment.status,
    actorId,
  });
  const r = rows[0];
  if (!r) throw new Error(`enrollment ${enrollment.id} vanished under its row lock`);
  return {
    row: {
      id: r.id,
      offeringId: r.offering_id,
      studentId: r.student_id,
      homeSchoolId: r.home_school_id,
      status: r.status,
      seq: Number(r.seq),
      needsConsent: r.needs_consent,
      reason: r.reason,
      mark: r.mark,
      resultHours: r.result_hours === null ? null : Number(r.result_hours),
      passed: r.passed,
      certificateNumber: r.certificate_number,
      requestedBy: r.requested_by,
      version: r.version,
      createdAt: new Date(r.created_at),
      updatedAt: new Date(r.updated_at),
    },
    // As findEnrollmentAnswer: a learner not (yet) in the read model has no name.
    student: r.given_name ? { givenName: r.given_name, familyName: r.family_name ?? '' } : null,
  };
}
