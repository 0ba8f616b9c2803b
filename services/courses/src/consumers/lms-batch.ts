import type { Tx } from '@mathnet/db';
import { and, asc, inArray, type SQL, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import type { EnrollmentRow } from '../store/enrollment-store';
import { enrollments, offerings } from '../store/schema';

/*
 * What the LMS fact handlers (lms-classes, lms-enrollments, lms-grades) share: the batch
 * header, locks taken in one order (offerings, then enrollments, each by id) and
 * set-based writes, so a batch of thousands of facts is a handful of statements.
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
  /** The school whose LMS this is. */
  organisationId: string;
  /** True on the delivery's last attempt: facts about offerings still unknown are then skipped, not retried. */
  lastAttempt: boolean;
}

/** Zero counts, to add to. */
export const noCounts = (): LmsFactCounts => ({ changed: 0, unchanged: 0, skipped: 0 });

/**
 * Locks the offerings in id order. With `batch`, an offering not known yet is an error to
 * retry (its classes batch may still be on its way), until the last attempt, which skips it.
 */
export async function lockOfferings(
  tx: Tx,
  ids: string[],
  batch?: LmsBatch,
): Promise<Map<string, OfferingRow>> {
  const unique = [...new Set(ids)];
  const rows = unique.length
    ? await tx
        .select()
        .from(offerings)
        .where(inArray(offerings.id, unique))
        .orderBy(asc(offerings.id))
        .for('update')
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

/** Locks, in id order, the enrollments matching `where` among the facts' offerings and learners. */
export async function lockEnrollments(
  tx: Tx,
  facts: { offeringId: string; personId: string }[],
  where: SQL,
): Promise<EnrollmentRow[]> {
  if (facts.length === 0) return [];
  return tx
    .select()
    .from(enrollments)
    .where(
      and(
        inArray(enrollments.offeringId, [...new Set(facts.map((f) => f.offeringId))]),
        inArray(enrollments.studentId, [...new Set(facts.map((f) => f.personId))]),
        where,
      ),
    )
    .orderBy(asc(enrollments.id))
    .for('update');
}

/** Whether the offering is an LMS class of the batch's school (the only offerings classes and enrollments change). */
export const isLmsOfferingOf = (o: OfferingRow, batch: LmsBatch) =>
  o.origin === 'lms' && o.providerId === batch.organisationId;

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
