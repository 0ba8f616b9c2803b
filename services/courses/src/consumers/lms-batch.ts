import { type EnrollmentEvent, maxEnrollmentsPerBatchEvent } from '@mathnet/contracts';
import type { Emit, Tx } from '@mathnet/db';
import { asc, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import type { EnrollmentRow } from '../store/enrollment-store';
import { enrollmentSteps, enrollments, offerings } from '../store/schema';

/*
 * What the LMS fact handlers (lms-classes, lms-enrollments, lms-grades) share: the batch
 * header, reads without locks to find what a batch changes, then locks on just that in one
 * order (offerings, then enrollments, each by id), and set-based writes (`unnest`: one bind
 * parameter per column), so a batch of thousands of facts is a handful of statements.
 */

/** The actor of every change made from an LMS: lms-bridge pushes nothing back that this actor made. */
export const lmsActor = (connectionId: string) => `lms:${connectionId}`;

export type OfferingRow = typeof offerings.$inferSelect;

/** What one batch did, for the log line. */
export interface LmsFactCounts {
  changed: number;
  unchanged: number;
  skipped: number;
}

/** The header of a batch, as the handlers need it. */
export interface LmsBatch {
  connectionId: string;
  /** The sync run whose batch this is. */
  runId: string;
  /** The school whose LMS this is. */
  organisationId: string;
  /** True on the delivery's last attempt: facts about offerings still unknown are then skipped, not retried. */
  lastAttempt: boolean;
}

/** Zero counts, to add to. */
export const noCounts = (): LmsFactCounts => ({ changed: 0, unchanged: 0, skipped: 0 });

/** The distinct ids as one uuid[] parameter, whatever their number (drizzle would bind each id). */
export const uuids = (ids: Iterable<string>) => sql`${sql.param([...new Set(ids)])}::uuid[]`;

/**
 * Reads the offerings without locking them. With `batch`, an offering not known yet is an error
 * to retry (its classes batch may still be on its way), until the last attempt, which skips it.
 */
export async function readOfferings(
  tx: Tx,
  ids: string[],
  batch?: LmsBatch,
): Promise<Map<string, OfferingRow>> {
  const unique = [...new Set(ids)];
  const rows = unique.length
    ? await tx
        .select()
        .from(offerings)
        .where(sql`${offerings.id} = any(${uuids(unique)})`)
    : [];
  const found = new Map(rows.map((r) => [r.id, r]));
  const missing = unique.filter((id) => !found.has(id));
  if (batch && missing.length && !batch.lastAttempt) {
    throw new Error(
      `${missing.length} offering(s) not known yet, e.g. ${missing[0]}: retrying until their class arrives`,
    );
  }
  return found;
}

/**
 * Locks the offerings in id order (the first lock a change of seats, teachers or an enrollment
 * takes, as in the enrollment workflow) and returns them as they are now.
 */
export async function lockOfferings(tx: Tx, ids: Iterable<string>): Promise<Map<string, OfferingRow>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await tx
    .select()
    .from(offerings)
    .where(sql`${offerings.id} = any(${uuids(unique)})`)
    .orderBy(asc(offerings.id))
    .for('update');
  return new Map(rows.map((r) => [r.id, r]));
}

/** What a learner's enrollment needs of its offering: whose it is and where it comes from. */
export type OfferingHead = Pick<OfferingRow, 'id' | 'providerId' | 'origin'>;

/**
 * {@link lockOfferings} returning only each offering's head. A batch of enrollments locks
 * hundreds of offerings (one per class its learners are in); reading and mapping all their
 * columns, descriptions and search text included, was a good part of the batch's cost.
 */
export async function lockOfferingHeads(tx: Tx, ids: Iterable<string>): Promise<Map<string, OfferingHead>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await tx
    .select({ id: offerings.id, providerId: offerings.providerId, origin: offerings.origin })
    .from(offerings)
    .where(sql`${offerings.id} = any(${uuids(unique)})`)
    .orderBy(asc(offerings.id))
    .for('update');
  return new Map(rows.map((r) => [r.id, r]));
}

/** A learner in an offering. */
export interface Pair {
  offeringId: string;
  personId: string;
}

/** The key of a learner's place in an offering. */
export const pairKey = (offeringId: string, personId: string) => `${offeringId}|${personId}`;

/**
 * In one statement, the enrollments with the given ids and those of the learners in the
 * offerings (`pairs`, exact pairs) whose status is among `statuses`; with `lock`, locked in id
 * order (call it only under the offerings' locks: offerings first, then enrollments).
 *
 * The wanted ids are gathered first into an array (an init plan), so the rows are then fetched
 * by primary key; and the pairs are looked up through the learners' index. Its cost follows
 * the batch, not the table: with `id in (subquery)` the planner hashed the whole table, twice
 * per batch, which grew with every batch of an import.
 */
export async function findEnrollments(
  tx: Tx,
  query: { ids?: string[]; pairs?: Pair[]; statuses?: readonly string[]; lock?: boolean },
): Promise<EnrollmentRow[]> {
  const ids = query.ids ?? [];
  const pairs = query.pairs ?? [];
  if (ids.length === 0 && (pairs.length === 0 || query.statuses?.length === 0)) return [];
  const learners = sql`${sql.param(pairs.map((p) => p.personId))}::uuid[]`;
  const byPair = sql`select x.id from ${enrollments} x
    join unnest(${sql.param(pairs.map((p) => p.offeringId))}::uuid[], ${learners})
      as p(offering_id, student_id)
      on x.offering_id = p.offering_id and x.student_id = p.student_id
    where x.student_id = any(${learners})
    ${query.statuses ? sql`and x.status = any(${sql.param([...query.statuses])}::text[])` : sql``}`;
  const wanted = pairs.length
    ? ids.length
      ? sql`select id from ${enrollments} where id = any(${uuids(ids)}) union ${byPair}`
      : byPair
    : sql`select id from ${enrollments} where id = any(${uuids(ids)})`;
  const select = tx
    .select()
    .from(enrollments)
    .where(sql`${enrollments.id} = any(array(${wanted}))`)
    .orderBy(asc(enrollments.id));
  return query.lock ? select.for('update') : select;
}

/** Whether the offering is an LMS class of the batch's school (the only offerings classes and enrollments change). */
export const isLmsOfferingOf = (o: Pick<OfferingRow, 'origin' | 'providerId'>, batch: LmsBatch) =>
  o.origin === 'lms' && o.providerId === batch.organisationId;

/**
 * `unnest($1::type1[], $2::type2[], …) as v(name1, name2, …)`: many rows as a relation,
 * one bind parameter per column whatever the number of rows (scalar column types only).
 */
export function unnestRows<T>(
  rows: T[],
  columns: Record<string, [type: string, value: (row: T) => unknown]>,
) {
  const names = Object.keys(columns);
  const arrays = Object.values(columns).map(
    ([type, value]) => sql`${sql.param(rows.map(value))}::${sql.raw(type)}[]`,
  );
  return sql`unnest(${sql.join(arrays, sql`, `)}) as v(${sql.raw(names.join(', '))})`;
}

/** Changes seats by deltas in one statement; run under the offerings' locks (exact counts). */
export async function changeSeats(tx: Tx, deltas: Map<string, number>): Promise<void> {
  const rows = [...deltas].filter(([, delta]) => delta !== 0);
  if (rows.length === 0) return;
  await tx.execute(sql`update ${offerings} set enrolled_count = enrolled_count + v.delta
    from ${unnestRows(rows, { id: ['uuid', ([id]) => id], delta: ['int', ([, delta]) => delta] })}
    where ${offerings.id} = v.id`);
}

/** One step of an enrollment's audit trail, as the LMS handlers write them. */
export interface LmsStep {
  enrollmentId: string;
  action: string;
  from: string | null;
  to: string;
}

/** Writes the steps of one batch in one statement, all by the batch's actor at `at`. */
export async function insertSteps(tx: Tx, steps: LmsStep[], actorId: string, at: Date): Promise<void> {
  if (steps.length === 0) return;
  await tx.execute(sql`insert into ${enrollmentSteps} (enrollment_id, action, from_status, to_status, actor_id, at)
    select v.enrollment_id, v.action, v.from_status, v.to_status, ${actorId}, ${at.toISOString()}::timestamptz
    from ${unnestRows(steps, {
      enrollment_id: ['uuid', (s) => s.enrollmentId],
      action: ['text', (s) => s.action],
      from_status: ['text', (s) => s.from],
      to_status: ['text', (s) => s.to],
    })}`);
}

/**
 * Announces the enrollments a batch changed as `mathnet.courses.enrollments.changed` (ADR 0007):
 * one event per batch, carrying each enrollment as its per-record event would.
 */
export function emitEnrollmentsChanged(emit: Emit, batch: LmsBatch, items: EnrollmentEvent[]): void {
  for (const part of chunks(items, maxEnrollmentsPerBatchEvent)) {
    emit({
      type: 'mathnet.courses.enrollments.changed',
      subject: batch.organisationId,
      data: { enrollments: part, source: { connectionId: batch.connectionId, runId: batch.runId } },
    });
  }
}

/**
 * One UPDATE for many rows, each with its own values: `columns` maps a column to its SQL type,
 * `valuesOf` gives a row's values in that order (arrays as `{…}` literals of safe tokens).
 */
export async function updateMany<T>(
  tx: Tx,
  table: PgTable,
  columns: Record<string, string>,
  rows: T[],
  valuesOf: (row: T) => unknown[],
  set = Object.keys(columns)
    .map((c) => `${c} = v.${c}`)
    .join(', '),
  idOf: (row: T) => string = (row) => (row as { id: string }).id,
): Promise<void> {
  const types = Object.values(columns);
  for (const part of chunks(rows)) {
    const values = part.map(
      (row) =>
        sql`(${idOf(row)}::uuid, ${sql.join(
          valuesOf(row).map((v, i) => sql`${v}::${sql.raw(types[i]!)}`),
          sql`, `,
        )})`,
    );
    await tx.execute(sql`update ${table} set ${sql.raw(set)}
      from (values ${sql.join(values, sql`, `)}) as v(id, ${sql.raw(Object.keys(columns).join(', '))})
      where ${table}.id = v.id`);
  }
}

const isoDate = z.iso.date();
/** An ISO date the database can store, or null (an LMS may send "" or a malformed date). */
export const validDate = (value: string | null) =>
  value !== null && isoDate.safeParse(value).success ? value : null;

/** The facts with one per id, the last one winning (as the LMS's latest word). */
export function lastById<T extends { id: string }>(facts: T[]): T[] {
  return [...new Map(facts.map((f) => [f.id, f])).values()];
}

/** Slices for multi-row statements, well under PostgreSQL's 65,535 parameters per statement. */
export function* chunks<T>(items: T[], size = 1000): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
