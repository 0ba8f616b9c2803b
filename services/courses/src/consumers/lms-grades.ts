import type { LmsGradeFact } from '@mathnet/contracts';
import type { Emit, Tx } from '@mathnet/db';
import { eq } from 'drizzle-orm';
import { type EnrollmentRow, enrollmentEvent } from '../store/enrollment-store';
import { enrollmentSteps, enrollments } from '../store/schema';
import {
  chunks,
  type LmsBatch,
  type LmsFactCounts,
  lmsActor,
  lockEnrollments,
  lockOfferings,
  noCounts,
  updateMany,
} from './lms-batch';

/**
 * LMS grades: a completed grade completes the learner's `enrolled` enrollment in an offering
 * the school provides (any origin: a network course run in the provider's LMS too), passed,
 * with the score as the mark and the offering's hours. Anything else changes nothing.
 */
export async function applyGrades(
  tx: Tx,
  emit: Emit,
  batch: LmsBatch,
  facts: LmsGradeFact[],
): Promise<LmsFactCounts> {
  const counts = noCounts();
  const actorId = lmsActor(batch.connectionId);
  const completed = [
    ...new Map(facts.filter((f) => f.completed).map((f) => [`${f.offeringId}|${f.personId}`, f])).values(),
  ];
  counts.unchanged = facts.length - completed.length;
  const offeringOf = await lockOfferings(
    tx,
    completed.map((f) => f.offeringId),
    batch,
  );
  const ours = completed.filter((f) => offeringOf.get(f.offeringId)?.providerId === batch.organisationId);
  counts.skipped = completed.length - ours.length;
  const enrolled = new Map(
    (await lockEnrollments(tx, ours, eq(enrollments.status, 'enrolled'))).map((e) => [
      `${e.offeringId}|${e.studentId}`,
      e,
    ]),
  );
  const now = new Date();
  const done: EnrollmentRow[] = [];
  for (const fact of ours) {
    const current = enrolled.get(`${fact.offeringId}|${fact.personId}`);
    if (!current) {
      counts.unchanged++;
      continue;
    }
    const mark =
      fact.score === null
        ? null
        : fact.maxScore === null
          ? `${fact.score}`
          : `${fact.score}/${fact.maxScore}`;
    const hours = offeringOf.get(fact.offeringId)!.hours;
    done.push({
      ...current,
      status: 'completed',
      passed: true,
      mark,
      resultHours: hours,
      version: current.version + 1,
      updatedAt: now,
    });
  }
  await updateMany(
    tx,
    enrollments,
    {
      status: 'text',
      passed: 'boolean',
      mark: 'text',
      result_hours: 'numeric',
      version: 'int',
      updated_at: 'timestamptz',
    },
    done,
    (e) => [e.status, e.passed, e.mark, e.resultHours, e.version, e.updatedAt.toISOString()],
  );
  const steps = done.map((e) => ({
    enrollmentId: e.id,
    action: 'complete',
    fromStatus: 'enrolled',
    toStatus: 'completed',
    actorId,
    at: now,
  }));
  for (const part of chunks(steps)) await tx.insert(enrollmentSteps).values(part);
  for (const row of done) {
    emit({
      type: 'mathnet.courses.enrollment.completed',
      subject: row.id,
      data: enrollmentEvent(row, offeringOf.get(row.offeringId)!.providerId, actorId),
    });
  }
  counts.changed = done.length;
  return counts;
}
