import type { LmsClassFact, LmsEnrollmentFact, LmsGradeFact } from '@mathnet/contracts';
import { consumeOnce, UnitOfWork } from '@mathnet/db';
import { expect } from 'chai';
import { eq, inArray, sql } from 'drizzle-orm';
import { v4 as uuidv4 } from 'uuid';
import type { LmsBatch } from '../src/consumers/lms-batch';
import { applyClasses } from '../src/consumers/lms-classes';
import { applyEnrollments } from '../src/consumers/lms-enrollments';
import { applyGrades } from '../src/consumers/lms-grades';
import { inbox, offerings, outbox } from '../src/store/schema';
import { type CoursesHarness, startCourses } from './courses-harness';

/*
 * How long courses takes to apply one LMS batch of 500 facts, the bridge's page size, the
 * way its consumer does (one transaction with the inbox row and the outbox rows). Printed,
 * not asserted: the figures depend on the machine. Shaped like the bench's district: each
 * page's learners spread over many classes (learner s of round r is in class 7s + r).
 */
describe('courses: time to apply an LMS batch of 500 facts (printed)', function () {
  this.timeout(300_000);
  let h: CoursesHarness;
  let work: UnitOfWork;
  const school = uuidv4();
  const connectionId = uuidv4();
  const classCount = 1000;
  const pages = 12;
  const pageSize = 500;
  const classes: LmsClassFact[] = Array.from({ length: classCount }, (_, i) => ({
    id: uuidv4(),
    title: `Алгебра ${i}`,
    classCode: `ALG-${i}`,
    subjects: ['Алгебра'],
    grades: [10],
    termStart: '2026-09-01',
    termEnd: '2027-05-31',
    teacherIds: [],
    active: true,
  }));
  const learners = Array.from({ length: 1500 }, () => uuidv4());
  const facts: LmsEnrollmentFact[] = Array.from({ length: pages * pageSize }, (_, j) => {
    const s = j % learners.length;
    const round = Math.floor(j / learners.length);
    return {
      id: uuidv4(),
      offeringId: classes[(s * 7 + round) % classCount]!.id,
      personId: learners[s]!,
      role: 'student',
      active: true,
    };
  });
  const pagesOf = <T>(items: T[]) =>
    Array.from({ length: Math.ceil(items.length / pageSize) }, (_, i) =>
      items.slice(i * pageSize, (i + 1) * pageSize),
    );

  before(async () => {
    h = await startCourses('lms-batch-timing');
    // The service's relay stays out of the figures: this unit of work only writes the outbox.
    work = new UnitOfWork({ db: h.database.db, outbox, source: '/mathnet/courses' });
  });
  after(async () => {
    await h?.close();
  });

  /** Applies one batch as the consumer does and returns the milliseconds it took. */
  const timed = async (apply: (batch: LmsBatch) => Parameters<typeof work.run>[0]) => {
    const batch: LmsBatch = { connectionId, runId: uuidv4(), organisationId: school, lastAttempt: false };
    const started = performance.now();
    await work.run((tx, emit) =>
      consumeOnce(tx, inbox, { group: 'timing', eventId: uuidv4() }, async (inner) => {
        await apply(batch)(inner, emit);
      }),
    );
    return performance.now() - started;
  };
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const report = (label: string, ms: number[]) =>
    console.log(
      `      ${label}: median ${median(ms).toFixed(1)} ms, min ${Math.min(...ms).toFixed(1)}, max ${Math.max(...ms).toFixed(1)} (${ms.length} batches, ${h.database.kind})`,
    );

  it('enrolls, re-applies, withdraws and completes page by page', async () => {
    await timed((batch) => (tx, emit) => applyClasses(tx, emit, batch, classes));
    const enrolling: number[] = [];
    for (const page of pagesOf(facts))
      enrolling.push(await timed((batch) => (tx, emit) => applyEnrollments(tx, emit, batch, page)));
    report('500 new enrollments', enrolling);
    const again: number[] = [];
    for (const page of pagesOf(facts).slice(0, 4))
      again.push(await timed((batch) => (tx, emit) => applyEnrollments(tx, emit, batch, page)));
    report('500 unchanged enrollments', again);
    const leaving = facts.slice(0, 2000).map((f) => ({ ...f, active: false }));
    const withdrawing: number[] = [];
    for (const page of pagesOf(leaving))
      withdrawing.push(await timed((batch) => (tx, emit) => applyEnrollments(tx, emit, batch, page)));
    report('500 withdrawals', withdrawing);
    const grades: LmsGradeFact[] = facts.slice(2000, 4000).map((f) => ({
      offeringId: f.offeringId,
      personId: f.personId,
      score: 18,
      maxScore: 20,
      completed: true,
    }));
    const completing: number[] = [];
    for (const page of pagesOf(grades))
      completing.push(await timed((batch) => (tx, emit) => applyGrades(tx, emit, batch, page)));
    report('500 completions', completing);

    const db = h.database.db;
    const [seats] = await db
      .select({ n: sql<number>`sum(${offerings.enrolledCount})::int` })
      .from(offerings)
      .where(
        inArray(
          offerings.id,
          classes.map((c) => c.id),
        ),
      );
    // Completions keep their seats; withdrawals free theirs.
    expect(seats!.n).to.equal(facts.length - leaving.length);
    const [events] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(outbox)
      .where(eq(outbox.source, '/mathnet/courses'));
    expect(events!.n).to.be.greaterThan(0);
  });
});
