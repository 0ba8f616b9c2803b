import type { LmsGradeFact } from '@mathnet/contracts';
import type { Emit, Tx } from '@mathnet/db';
import { sql } from 'drizzle-orm';
import { type EnrollmentRow, enrollmentEvent } from '../store/enrollment-store';
import { enrollments } from '../store/schema';
import {
  emitEnrollmentsChanged,
  findEnrollments,
  insertSteps,
  type LmsBatch,
  type LmsFactCounts,
  lmsActor,
  lockOfferings,
  noCounts,
  type OfferingRow,
  pairKey,
  readOfferings,
  unnestRows,
} from './lms-batch';

/**
 * LMS grades: a completed grade completes the learner's `enrolled` enrollment in an offering
 * the school provides (any origin: a network course run in the provider's LMS too), passed,
 * with the score as the mark and the offering's hours. Anything else changes nothing. The
 * completions are announced in one `mathnet.courses.enrollments.changed`.
 *
 * Reads first without locks; then locks the offerings of the enrollments to complete, then
 * those enrollments (the workflow's lock order), and completes the ones still enrolled.
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
    ...new Map(facts.filter((f) => f.completed).map((f) => [pairKey(f.offeringId, f.personId), f])).values(),
  ];
  counts.unchanged = facts.length - completed.length;
  const seen = await readOfferings(
    tx,
    completed.map((f) => f.offeringId),
    batch,
  );
  const ours = completed.filter((f) => seen.get(f.offeringId)?.providerId === batch.organisationId);
  counts.skipped = completed.length - ours.length;
  const enrolled = await findEnrollments(tx, { pairs: ours, statuses: ['enrolled'] });
  if (enrolled.length === 0) {
    counts.unchanged += ours.length;
    return counts;
  }
  const locked = await lockOfferings(
    tx,
    enrolled.map((e) => e.offeringId),
  );
  const current = new Map(
    (
      await findEnrollments(tx, {
        ids: enrolled
          .filter((e) => locked.get(e.offeringId)?.providerId === batch.organisationId)
          .map((e) => e.id),
        lock: true,
      })
    )
      .filter((e) => e.status === 'enrolled')
      .map((e) => [pairKey(e.offeringId, e.studentId), e]),
  );
  const now = new Date();
  const done: EnrollmentRow[] = [];
  for (const fact of ours) {
    const row = current.get(pairKey(fact.offeringId, fact.personId));
    if (!row) {
      counts.unchanged++;
      continue;
    }
    done.push(completion(row, fact, locked.get(fact.offeringId)!, now));
  }
  if (done.length === 0) return counts;
  await tx.execute(sql`update ${enrollments}
    set status = 'completed', passed = true, mark = v.mark, result_hours = v.result_hours,
      version = v.version, updated_at = ${now.toISOString()}::timestamptz
    from ${unnestRows(done, {
      id: ['uuid', (e) => e.id],
      mark: ['text', (e) => e.mark],
      result_hours: ['numeric', (e) => e.resultHours],
      version: ['int', (e) => e.version],
    })}
    where ${enrollments.id} = v.id`);
  await insertSteps(
    tx,
    done.map((e) => ({ enrollmentId: e.id, action: 'complete', from: 'enrolled', to: 'completed' })),
    actorId,
    now,
  );
  emitEnrollmentsChanged(
    emit,
    batch,
    done.map((row) => enrollmentEvent(row, locked.get(row.offeringId)!.providerId, actorId)),
  );
  counts.changed = done.length;
  return counts;
}

/** The enrollment completed by the grade: passed, the score as the mark, the offering's hours. */
function completion(row: EnrollmentRow, fact: LmsGradeFact, offering: OfferingRow, now: Date): EnrollmentRow {
  const mark =
    fact.score === null ? null : fact.maxScore === null ? `${fact.score}` : `${fact.score}/${fact.maxScore}`;
  return {
    ...row,
    status: 'completed',
    passed: true,
    mark,
    resultHours: offering.hours,
    version: row.version + 1,
    updatedAt: now,
  };
}
