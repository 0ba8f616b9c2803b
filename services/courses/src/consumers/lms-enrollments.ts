import type { LmsEnrollmentFact } from '@mathnet/contracts';
import type { Emit, Tx } from '@mathnet/db';
import { inArray } from 'drizzle-orm';
import { activeStatuses, type EnrollmentStatus } from '../domain/enrollment-machine';
import { type EnrollmentRow, enrollmentEvent } from '../store/enrollment-store';
import { offeringEvent, toOffering } from '../store/offering-store';
import { enrollmentSteps, enrollments, offerings } from '../store/schema';
import {
  chunks,
  isLmsOfferingOf,
  type LmsBatch,
  type LmsFactCounts,
  lastById,
  lmsActor,
  lockEnrollments,
  lockOfferings,
  noCounts,
  type OfferingRow,
  updateMany,
} from './lms-batch';
import { updateOfferings } from './lms-classes';

/**
 * LMS enrollments in the school's LMS offerings. A student's is the enrollment with that id:
 * `enrolled` at once (the LMS decided; no consent or approval round) or `withdrawn` when gone,
 * with its seat taken or freed; a teacher's is their place in the offering's teacherIds.
 */
export async function applyEnrollments(
  tx: Tx,
  emit: Emit,
  batch: LmsBatch,
  facts: LmsEnrollmentFact[],
): Promise<LmsFactCounts> {
  const counts = noCounts();
  const actorId = lmsActor(batch.connectionId);
  const all = lastById(facts);
  // Offerings first, then enrollments: the lock order of the enrollment workflow (no deadlocks).
  const offeringOf = await lockOfferings(
    tx,
    all.map((f) => f.offeringId),
    batch,
  );
  const ours = all.filter((f) => {
    const offering = offeringOf.get(f.offeringId);
    if (offering && isLmsOfferingOf(offering, batch)) return true;
    counts.skipped++;
    return false;
  });
  const students = ours.filter((f) => f.role === 'student');
  const byId = new Map(
    (
      await lockEnrollments(
        tx,
        students,
        inArray(
          enrollments.id,
          students.map((f) => f.id),
        ),
      )
    ).map((e) => [e.id, e]),
  );
  // Who already holds an active request or seat (one per learner and offering), whatever its id.
  const active = new Map(
    (await lockEnrollments(tx, students, inArray(enrollments.status, activeStatuses))).map((e) => [
      `${e.offeringId}|${e.studentId}`,
      e.id,
    ]),
  );
  const now = new Date();
  const inserts: (typeof enrollments.$inferInsert)[] = [];
  const changes: EnrollmentRow[] = [];
  const steps: (typeof enrollmentSteps.$inferInsert)[] = [];
  const seats = new Map<string, number>();
  const step = (
    id: string,
    action: string,
    from: string | null,
    to: EnrollmentStatus,
    offeringId: string,
    seat: number,
  ) => {
    steps.push({ enrollmentId: id, action, fromStatus: from, toStatus: to, actorId, at: now });
    if (seat) seats.set(offeringId, (seats.get(offeringId) ?? 0) + seat);
    counts.changed++;
  };
  for (const fact of students) {
    const current = byId.get(fact.id);
    const pair = `${fact.offeringId}|${fact.personId}`;
    const holder = active.get(pair);
    if (current && (current.offeringId !== fact.offeringId || current.studentId !== fact.personId)) {
      counts.skipped++; // the id names another learner's enrollment: not the LMS's to change
    } else if (fact.active && !current) {
      if (holder) {
        counts.skipped++;
        continue;
      }
      active.set(pair, fact.id);
      inserts.push({
        id: fact.id,
        offeringId: fact.offeringId,
        studentId: fact.personId,
        homeSchoolId: batch.organisationId,
        status: 'enrolled',
        needsConsent: false,
        requestedBy: actorId,
      });
      step(fact.id, 'enroll', null, 'enrolled', fact.offeringId, 1);
    } else if (fact.active && current && !['enrolled', 'completed', 'failed'].includes(current.status)) {
      if (holder && holder !== current.id) {
        counts.skipped++;
        continue;
      }
      active.set(pair, current.id);
      changes.push({ ...current, status: 'enrolled', version: current.version + 1, updatedAt: now });
      step(current.id, 'enroll', current.status, 'enrolled', fact.offeringId, 1);
    } else if (!fact.active && current && activeStatuses.includes(current.status as EnrollmentStatus)) {
      active.delete(pair);
      changes.push({ ...current, status: 'withdrawn', version: current.version + 1, updatedAt: now });
      step(
        current.id,
        'withdraw',
        current.status,
        'withdrawn',
        fact.offeringId,
        current.status === 'enrolled' ? -1 : 0,
      );
    } else {
      counts.unchanged++;
    }
  }
  const written: EnrollmentRow[] = [...changes];
  for (const part of chunks(inserts))
    written.push(...(await tx.insert(enrollments).values(part).returning()));
  await updateMany(
    tx,
    enrollments,
    { status: 'text', version: 'int', updated_at: 'timestamptz' },
    changes,
    (e) => [e.status, e.version, e.updatedAt.toISOString()],
  );
  for (const part of chunks(steps)) await tx.insert(enrollmentSteps).values(part);
  // Seats move by deltas under the offerings' locks, as in the enrollment workflow (a completion keeps its seat).
  await updateMany(
    tx,
    offerings,
    { delta: 'int' },
    [...seats].filter(([, delta]) => delta !== 0),
    ([, delta]) => [delta],
    'enrolled_count = enrolled_count + v.delta',
    ([id]) => id,
  );
  for (const row of written) {
    emit({
      type: `mathnet.courses.enrollment.${row.status}`,
      subject: row.id,
      data: enrollmentEvent(row, offeringOf.get(row.offeringId)!.providerId, actorId),
    });
  }
  // A teacher's enrollment is their place in the offering's teacherIds.
  const teaching = new Map<string, OfferingRow>();
  for (const fact of ours.filter((f) => f.role === 'teacher')) {
    const offering = teaching.get(fact.offeringId) ?? offeringOf.get(fact.offeringId)!;
    const has = offering.teacherIds.includes(fact.personId);
    if (has === fact.active) {
      counts.unchanged++;
      continue;
    }
    const teacherIds = fact.active
      ? [...offering.teacherIds, fact.personId].sort()
      : offering.teacherIds.filter((t) => t !== fact.personId);
    const base = offeringOf.get(fact.offeringId)!;
    teaching.set(fact.offeringId, { ...offering, teacherIds, version: base.version + 1, updatedAt: now });
    counts.changed++;
  }
  await updateOfferings(tx, [...teaching.values()]);
  for (const row of teaching.values()) {
    if (row.status !== 'published') continue;
    emit({ type: 'mathnet.courses.offering.updated', subject: row.id, data: offeringEvent(toOffering(row)) });
  }
  return counts;
}
