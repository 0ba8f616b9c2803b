import type { EnrollmentEvent, LmsEnrollmentFact } from '@mathnet/contracts';
import type { Emit, Tx } from '@mathnet/db';
import { sql } from 'drizzle-orm';
import { activeStatuses, type EnrollmentStatus } from '../domain/enrollment-machine';
import { type EnrollmentRow, enrollmentEvent } from '../store/enrollment-store';
import { offeringEvent, toOffering } from '../store/offering-store';
import { enrollments } from '../store/schema';
import {
  changeSeats,
  emitEnrollmentsChanged,
  findEnrollments,
  insertSteps,
  isLmsOfferingOf,
  type LmsBatch,
  type LmsFactCounts,
  type LmsStep,
  lastById,
  lmsActor,
  lockOfferingHeads,
  noCounts,
  type OfferingRow,
  pairKey,
  readOfferings,
  unnestRows,
} from './lms-batch';
import { updateOfferings } from './lms-classes';

/**
 * LMS enrollments in the school's LMS offerings. A student's is the enrollment with that id:
 * `enrolled` at once (the LMS decided; no consent or approval round) or `withdrawn` when gone,
 * with its seat taken or freed; a teacher's is their place in the offering's teacherIds.
 * The enrollments changed are announced in one `mathnet.courses.enrollments.changed`.
 *
 * Reads first without locks to find what the batch changes; then locks just the offerings
 * of those changes (the lock order of the enrollment workflow: offerings, then enrollments),
 * re-reads their enrollments locked, and decides again on what is now current. A batch
 * that changes nothing takes no lock.
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
  const students = all.filter((f) => f.role === 'student');
  const teachers = all.filter((f) => f.role === 'teacher');
  // What would change, read without locks (an enrollment's offering exists: no offering read needed).
  const draft = planStudents(students, await currentOf(tx, students, false));
  const seen = await readOfferings(
    tx,
    teachers.map((f) => f.offeringId),
  );
  const draftTeachers = planTeachers(
    teachers.filter((f) => {
      const offering = seen.get(f.offeringId);
      return !offering || isLmsOfferingOf(offering, batch);
    }),
    seen,
  );
  counts.skipped += draft.skipped + teachers.length - draftTeachers.considered;
  counts.unchanged += draft.unchanged + draftTeachers.unchanged;
  const changing = new Set([...draft.changing, ...draftTeachers.changing]);
  if (changing.size === 0) return counts;

  const locked = await lockOfferingHeads(
    tx,
    [...changing].map((f) => f.offeringId),
  );
  const missing = [...changing].filter((f) => !locked.has(f.offeringId));
  if (missing.length && !batch.lastAttempt) {
    // Its classes batch may still be on its way: retry, until the last attempt skips these facts.
    throw new Error(
      `${missing.length} fact(s) about offerings not known yet, e.g. ${missing[0]!.offeringId}: retrying until their class arrives`,
    );
  }
  const stillOurs = (f: LmsEnrollmentFact) => {
    const offering = locked.get(f.offeringId);
    if (offering && isLmsOfferingOf(offering, batch)) return true;
    counts.skipped++;
    return false;
  };
  const lockedStudents = students.filter((f) => changing.has(f) && stillOurs(f));
  const plan = planStudents(lockedStudents, await currentOf(tx, lockedStudents, true));
  counts.skipped += plan.skipped;
  counts.unchanged += plan.unchanged;
  counts.changed += plan.changes.length;

  const now = new Date();
  const items: EnrollmentEvent[] = [];
  const steps: LmsStep[] = [];
  const inserts: EnrollmentRow[] = [];
  const updates: EnrollmentRow[] = [];
  const seats = new Map<string, number>();
  for (const { fact, current, to } of plan.changes) {
    const row: EnrollmentRow = current
      ? { ...current, status: to, version: current.version + 1, updatedAt: now }
      : {
          id: fact.id,
          offeringId: fact.offeringId,
          studentId: fact.personId,
          homeSchoolId: batch.organisationId,
          status: to,
          seq: 0, // assigned by the database; no event carries it
          needsConsent: false,
          reason: null,
          mark: null,
          resultHours: null,
          passed: null,
          certificateNumber: null,
          requestedBy: actorId,
          version: 1,
          createdAt: now,
          updatedAt: now,
        };
    (current ? updates : inserts).push(row);
    steps.push({
      enrollmentId: row.id,
      action: to === 'enrolled' ? 'enroll' : 'withdraw',
      from: current?.status ?? null,
      to,
    });
    // Seats move by deltas under the offerings' locks, as in the enrollment workflow (a completion keeps its seat).
    const seat = to === 'enrolled' ? 1 : current?.status === 'enrolled' ? -1 : 0;
    seats.set(row.offeringId, (seats.get(row.offeringId) ?? 0) + seat);
    items.push(enrollmentEvent(row, locked.get(row.offeringId)!.providerId, actorId));
  }
  await insertEnrollments(tx, inserts, now);
  await updateEnrollments(tx, updates, now);
  await insertSteps(tx, steps, actorId, now);
  await changeSeats(tx, seats);
  emitEnrollmentsChanged(emit, batch, items);

  // A teacher's enrollment is their place in the offering's teacherIds: read the whole rows
  // (locked above) of just these offerings, since they change and are announced.
  const teacherFacts = teachers.filter((f) => changing.has(f) && stillOurs(f));
  const teacherOfferings = await readOfferings(
    tx,
    teacherFacts.map((f) => f.offeringId),
  );
  const teaching = planTeachers(teacherFacts, teacherOfferings, now);
  counts.unchanged += teaching.unchanged;
  counts.changed += teaching.changing.size;
  await updateOfferings(tx, [...teaching.rows.values()]);
  for (const row of teaching.rows.values()) {
    if (row.status !== 'published') continue;
    emit({ type: 'mathnet.courses.offering.updated', subject: row.id, data: offeringEvent(toOffering(row)) });
  }
  return counts;
}

/** What is known of the students' enrollments: by id, and the holder of each learner's active one. */
interface Current {
  byId: Map<string, EnrollmentRow>;
  /** The id of the active request or seat (one per learner and offering), whatever its id. */
  holders: Map<string, string>;
}

async function currentOf(tx: Tx, students: LmsEnrollmentFact[], lock: boolean): Promise<Current> {
  const rows = await findEnrollments(tx, {
    ids: students.map((f) => f.id),
    pairs: students,
    statuses: activeStatuses,
    lock,
  });
  const wanted = new Set(students.map((f) => f.id));
  const byId = new Map(rows.filter((e) => wanted.has(e.id)).map((e) => [e.id, e]));
  const holders = new Map(
    rows
      .filter((e) => activeStatuses.includes(e.status as EnrollmentStatus))
      .map((e) => [pairKey(e.offeringId, e.studentId), e.id]),
  );
  return { byId, holders };
}

interface StudentChange {
  fact: LmsEnrollmentFact;
  current: EnrollmentRow | undefined;
  to: 'enrolled' | 'withdrawn';
}

/** Decides, fact by fact in batch order, what the students' facts change; pure. */
function planStudents(students: LmsEnrollmentFact[], { byId, holders }: Current) {
  const active = new Map(holders);
  const changes: StudentChange[] = [];
  let skipped = 0;
  let unchanged = 0;
  for (const fact of students) {
    const current = byId.get(fact.id);
    const pair = pairKey(fact.offeringId, fact.personId);
    const holder = active.get(pair);
    if (current && (current.offeringId !== fact.offeringId || current.studentId !== fact.personId)) {
      skipped++; // the id names another learner's enrollment: not the LMS's to change
    } else if (fact.active && !current) {
      if (holder) skipped++;
      else {
        active.set(pair, fact.id);
        changes.push({ fact, current, to: 'enrolled' });
      }
    } else if (fact.active && current && !['enrolled', 'completed', 'failed'].includes(current.status)) {
      if (holder && holder !== current.id) skipped++;
      else {
        active.set(pair, current.id);
        changes.push({ fact, current, to: 'enrolled' });
      }
    } else if (!fact.active && current && activeStatuses.includes(current.status as EnrollmentStatus)) {
      active.delete(pair);
      changes.push({ fact, current, to: 'withdrawn' });
    } else {
      unchanged++;
    }
  }
  return { changes, changing: new Set(changes.map((c) => c.fact)), skipped, unchanged };
}

/**
 * Decides what the teachers' facts change in their offerings' teacherIds; pure. A fact about
 * an offering not in `offeringOf` counts as changing (the locked read decides).
 */
function planTeachers(teachers: LmsEnrollmentFact[], offeringOf: Map<string, OfferingRow>, now = new Date()) {
  const rows = new Map<string, OfferingRow>();
  const changing = new Set<LmsEnrollmentFact>();
  let unchanged = 0;
  for (const fact of teachers) {
    const base = offeringOf.get(fact.offeringId);
    if (!base) {
      changing.add(fact);
      continue;
    }
    const offering = rows.get(fact.offeringId) ?? base;
    if (offering.teacherIds.includes(fact.personId) === fact.active) {
      unchanged++;
      continue;
    }
    const teacherIds = fact.active
      ? [...offering.teacherIds, fact.personId].sort()
      : offering.teacherIds.filter((t) => t !== fact.personId);
    rows.set(fact.offeringId, { ...offering, teacherIds, version: base.version + 1, updatedAt: now });
    changing.add(fact);
  }
  return { rows, changing, unchanged, considered: teachers.length };
}

/** New LMS enrollments in one statement. */
async function insertEnrollments(tx: Tx, rows: EnrollmentRow[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  const at = sql`${now.toISOString()}::timestamptz`;
  await tx.execute(sql`insert into ${enrollments}
      (id, offering_id, student_id, home_school_id, status, needs_consent, requested_by, version, created_at, updated_at)
    select v.id, v.offering_id, v.student_id, v.home_school_id, v.status, false, v.requested_by, 1, ${at}, ${at}
    from ${unnestRows(rows, {
      id: ['uuid', (e) => e.id],
      offering_id: ['uuid', (e) => e.offeringId],
      student_id: ['uuid', (e) => e.studentId],
      home_school_id: ['uuid', (e) => e.homeSchoolId],
      status: ['text', (e) => e.status],
      requested_by: ['text', (e) => e.requestedBy],
    })}`);
}

/** New status and version of many enrollments in one statement. */
async function updateEnrollments(tx: Tx, rows: EnrollmentRow[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`update ${enrollments}
    set status = v.status, version = v.version, updated_at = ${now.toISOString()}::timestamptz
    from ${unnestRows(rows, {
      id: ['uuid', (e) => e.id],
      status: ['text', (e) => e.status],
      version: ['int', (e) => e.version],
    })}
    where ${enrollments.id} = v.id`);
}
