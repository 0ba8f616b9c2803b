import {
  type CloudEvent,
  createEvent,
  type EnrollmentsChanged,
  type LmsClassFact,
  type LmsEnrollmentFact,
  type LmsGradeFact,
} from '@mathnet/contracts';
import { expect } from 'chai';
import { asc, eq, gt, inArray, like } from 'drizzle-orm';
import { v4 as uuidv4 } from 'uuid';
import { lmsFactsGroup } from '../src/consumers/lms-facts';
import { enrollmentSteps, enrollments, offerings, outbox } from '../src/store/schema';
import { type CoursesHarness, startCourses } from './courses-harness';

describe('courses: classes, enrollments and grades from an LMS', function () {
  this.timeout(90_000);
  let h: CoursesHarness;
  let school: string;
  let otherSchool: string;
  const connectionId = uuidv4();
  const actor = `lms:${connectionId}`;

  before(async () => {
    h = await startCourses('lms-facts');
    school = await h.organisation('school', 'Школа с LMS');
    otherSchool = await h.organisation('school', 'Другая школа');
  });
  after(async () => {
    await h?.close();
  });

  const batch = (kind: 'classes' | 'enrollments' | 'grades', facts: unknown[], organisationId = school) =>
    createEvent({
      source: '/mathnet/lms-bridge',
      type: `mathnet.lms.${kind}.synced`,
      data: { runId: uuidv4(), connectionId, organisationId, [kind]: facts },
    });
  /** Publishes the batch (delivered `times` times) and waits until courses handled it each time. */
  const deliver = async (event: CloudEvent, times = 1) => {
    for (let i = 0; i < times; i++) await h.bus.publish([event]);
    const outcomes = await h.handled(lmsFactsGroup, event.id, times);
    expect(outcomes.map((o) => o.ok)).to.deep.equal(new Array(times).fill(true));
  };
  const syncClasses = (classes: LmsClassFact[], organisationId?: string) =>
    deliver(batch('classes', classes, organisationId));
  const syncEnrollments = (facts: LmsEnrollmentFact[]) => deliver(batch('enrollments', facts));
  const syncGrades = (facts: LmsGradeFact[]) => deliver(batch('grades', facts));

  const db = () => h.database.db;
  const offering = async (id: string) =>
    (await db().select().from(offerings).where(eq(offerings.id, id)))[0]!;
  const enrollment = async (id: string) =>
    (await db().select().from(enrollments).where(eq(enrollments.id, id)))[0];
  /** The verbs of courses' events about one subject, from its outbox: what was (or will be) published. */
  const emitted = async (subject: string) =>
    (
      await db()
        .select({ type: outbox.type })
        .from(outbox)
        .where(eq(outbox.subject, subject))
        .orderBy(asc(outbox.seq))
    ).map((r) => r.type.split('.').pop());

  /**
   * The statuses courses announced for one enrollment, in order, from its outbox: the items of
   * `enrollments.changed` batch events and any per-record `enrollment.<status>` event.
   */
  const announced = async (enrollmentId: string) => {
    const rows = await db()
      .select({ type: outbox.type, subject: outbox.subject, data: outbox.data })
      .from(outbox)
      .where(like(outbox.type, 'mathnet.courses.enrollment%'))
      .orderBy(asc(outbox.seq));
    return rows.flatMap((r) =>
      r.type === 'mathnet.courses.enrollments.changed'
        ? (r.data as EnrollmentsChanged).enrollments
            .filter((e) => e.id === enrollmentId)
            .map((e) => `${e.status} (batch)`)
        : r.subject === enrollmentId
          ? [r.type.split('.').pop()]
          : [],
    );
  };
  /** The outbox rows written after `seq` (what courses emitted since). */
  const outboxAfter = async (seq: number) =>
    db().select().from(outbox).where(gt(outbox.seq, seq)).orderBy(asc(outbox.seq));
  const lastSeq = async () =>
    (await db().select({ seq: outbox.seq }).from(outbox).orderBy(asc(outbox.seq))).at(-1)?.seq ?? 0;
  /** The batch event that announced the enrollment, as it went out on the bus. */
  const changedEvent = (enrollmentId: string) =>
    h.events.waitFor(
      (e) =>
        e.type === 'mathnet.courses.enrollments.changed' &&
        (e.data as EnrollmentsChanged).enrollments.some((x) => x.id === enrollmentId),
    );
  const itemOf = (event: CloudEvent, enrollmentId: string) =>
    (event.data as EnrollmentsChanged).enrollments.find((x) => x.id === enrollmentId);

  const classFact = (overrides: Partial<LmsClassFact> = {}): LmsClassFact => ({
    id: uuidv4(),
    title: 'Алгебра 10А',
    classCode: '10A-ALG',
    subjects: ['Алгебра', 'Физика'],
    grades: [10, 12, 0],
    termStart: '2026-09-01',
    termEnd: '2027-05-31',
    teacherIds: [],
    active: true,
    ...overrides,
  });
  const studentIn = (offeringId: string, active = true): LmsEnrollmentFact => ({
    id: uuidv4(),
    offeringId,
    personId: uuidv4(),
    role: 'student',
    active,
  });

  describe('classes', () => {
    it('publishes an LMS class as an offering of the school, mapping subjects and grades', async () => {
      const teacher = uuidv4();
      const algebra = classFact({ teacherIds: [teacher] });
      const literature = classFact({
        title: 'Литература',
        classCode: null,
        subjects: ['Литература'],
        grades: [],
      });
      await syncClasses([algebra, literature]);
      expect(await offering(algebra.id)).to.deep.include({
        providerId: school,
        origin: 'lms',
        lmsConnectionId: connectionId,
        title: 'Алгебра 10А',
        classCode: '10A-ALG',
        subjects: ['maths', 'physics'],
        grades: [10],
        termStart: '2026-09-01',
        termEnd: '2027-05-31',
        teacherIds: [teacher],
        kind: 'optional_course',
        format: 'blended',
        capacity: 10_000,
        audience: 'students',
        status: 'published',
        version: 1,
        enrolledCount: 0,
      });
      expect(await offering(literature.id)).to.deep.include({ subjects: ['other'], grades: [10, 11] });
      const published = await h.events.waitFor(
        (e) => e.type === 'mathnet.courses.offering.published' && e.subject === algebra.id,
      );
      expect(published.data).to.include({ providerId: school, status: 'published', capacity: 10_000 });
      const answer = await h.api('GET', `/v1/offerings/${algebra.id}`, h.tokenFor(teacher, []));
      expect(answer.status).to.equal(200);
      expect(answer.body).to.include({ origin: 'lms', status: 'published' });
    });

    it('changes nothing on an identical batch, updates on a change, archives and republishes', async () => {
      const fact = classFact();
      await syncClasses([fact]);
      await syncClasses([fact]);
      expect((await offering(fact.id)).version).to.equal(1);
      await syncClasses([{ ...fact, title: 'Алгебра и начала анализа 10А', teacherIds: [uuidv4()] }]);
      expect(await offering(fact.id)).to.include({ title: 'Алгебра и начала анализа 10А', version: 2 });
      await syncClasses([{ ...fact, active: false }]);
      expect(await offering(fact.id)).to.include({ status: 'archived', version: 3 });
      await syncClasses([{ ...fact, active: false }]);
      await syncClasses([fact]);
      expect(await offering(fact.id)).to.deep.include({ status: 'published', version: 4, teacherIds: [] });
      expect(await emitted(fact.id)).to.deep.equal(['published', 'updated', 'archived', 'published']);
    });

    it('has no second effect when the same batch is delivered twice', async () => {
      const fact = classFact();
      await syncClasses([fact]);
      await deliver(batch('classes', [{ ...fact, grades: [9, 10, 11] }]), 2);
      expect(await offering(fact.id)).to.deep.include({ grades: [9, 10, 11], version: 2 });
      expect(await emitted(fact.id)).to.deep.equal(['published', 'updated']);
    });

    it("never changes a network offering or another school's LMS class", async () => {
      const network = classFact();
      await db()
        .insert(offerings)
        .values({
          id: network.id,
          title: 'Сетевой курс',
          kind: 'elective',
          providerId: school,
          subjects: ['maths'],
          grades: [10],
          format: 'in_person',
          capacity: 20,
          status: 'published',
        });
      const theirs = classFact();
      await syncClasses([theirs], otherSchool);
      await syncClasses([network, { ...theirs, title: 'Чужой класс' }]);
      expect(await offering(network.id)).to.include({ title: 'Сетевой курс', origin: 'network', version: 1 });
      expect(await offering(theirs.id)).to.include({
        title: 'Алгебра 10А',
        providerId: otherSchool,
        version: 1,
      });
    });
  });

  describe('enrollments and grades', () => {
    it('enrolls students at once, counts seats, records the LMS actor, and repeats as a no-op', async () => {
      const fact = classFact();
      await syncClasses([fact]);
      const anna = studentIn(fact.id);
      const boris = studentIn(fact.id);
      await syncEnrollments([anna, boris]);
      expect(await enrollment(anna.id)).to.deep.include({
        offeringId: fact.id,
        studentId: anna.personId,
        homeSchoolId: school,
        status: 'enrolled',
        needsConsent: false,
        requestedBy: actor,
        version: 1,
      });
      expect((await offering(fact.id)).enrolledCount).to.equal(2);
      const steps = await db()
        .select()
        .from(enrollmentSteps)
        .where(eq(enrollmentSteps.enrollmentId, anna.id));
      expect(steps.map((s) => [s.action, s.fromStatus, s.toStatus, s.actorId])).to.deep.equal([
        ['enroll', null, 'enrolled', actor],
      ]);
      const enrolled = await changedEvent(anna.id);
      expect(enrolled.subject).to.equal(school);
      expect(itemOf(enrolled, anna.id)).to.deep.include({
        status: 'enrolled',
        actorId: actor,
        providerId: school,
        version: 1,
      });
      await syncEnrollments([anna, boris]);
      await deliver(batch('enrollments', [anna, boris]), 2);
      expect((await offering(fact.id)).enrolledCount).to.equal(2);
      expect(await announced(anna.id)).to.deep.equal(['enrolled (batch)']);
    });

    it('announces each batch in one enrollments.changed with the changed enrollments, none per record', async () => {
      const fact = classFact();
      await syncClasses([fact]);
      const [anna, boris, carl, dora] = [
        studentIn(fact.id),
        studentIn(fact.id),
        studentIn(fact.id),
        studentIn(fact.id),
      ];
      await syncEnrollments([carl!, dora!]);
      const before = await lastSeq();
      // dora's twin: another id for a place she already holds, which the LMS may not take twice.
      const twin = { ...dora!, id: uuidv4() };
      const event = batch('enrollments', [anna!, { ...carl!, active: false }, twin, boris!]);
      await deliver(event, 2);
      const rows = await outboxAfter(before);
      expect(rows.map((r) => [r.type, r.subject])).to.deep.equal([
        ['mathnet.courses.enrollments.changed', school],
      ]);
      const data = rows[0]!.data as EnrollmentsChanged;
      expect(data.source).to.deep.equal({ connectionId, runId: (event.data as { runId: string }).runId });
      // In batch order, each once, skipped ones (the twin) left out; each item is the per-record payload.
      expect(data.enrollments.map((e) => [e.id, e.status, e.version])).to.deep.equal([
        [anna!.id, 'enrolled', 1],
        [carl!.id, 'withdrawn', 2],
        [boris!.id, 'enrolled', 1],
      ]);
      expect(data.enrollments[0]).to.deep.equal({
        id: anna!.id,
        offeringId: fact.id,
        providerId: school,
        studentId: anna!.personId,
        homeSchoolId: school,
        status: 'enrolled',
        actorId: actor,
        reason: null,
        result: null,
        version: 1,
      });
      expect(await enrollment(twin.id)).to.equal(undefined);
      expect((await offering(fact.id)).enrolledCount).to.equal(3);
      const published = await h.events.waitFor((e) => e.id === rows[0]!.id);
      expect(published.data).to.deep.equal(data);
      // A batch that changes nothing announces nothing.
      await syncEnrollments([anna!, { ...carl!, active: false }, dora!]);
      expect(await outboxAfter(rows[0]!.seq)).to.deep.equal([]);
      // No per-record enrollment event from LMS facts, in any test of this file so far.
      expect(
        await db()
          .select({ type: outbox.type })
          .from(outbox)
          .where(like(outbox.type, 'mathnet.courses.enrollment.%')),
      ).to.deep.equal([]);
    });

    it('withdraws a student gone from the LMS and frees the seat, once; re-enrolls when back', async () => {
      const fact = classFact();
      await syncClasses([fact]);
      const anna = studentIn(fact.id);
      const boris = studentIn(fact.id);
      await syncEnrollments([anna, boris]);
      await deliver(batch('enrollments', [{ ...anna, active: false }]), 2);
      expect(await enrollment(anna.id)).to.include({ status: 'withdrawn', version: 2 });
      expect((await offering(fact.id)).enrolledCount).to.equal(1);
      const withdrawn = await h.events.waitFor(
        (e) => e.type === 'mathnet.courses.enrollments.changed' && itemOf(e, anna.id)?.status === 'withdrawn',
      );
      expect(itemOf(withdrawn, anna.id)).to.include({ actorId: actor, version: 2 });
      await syncEnrollments([{ ...anna, active: false }, studentIn(fact.id, false)]);
      expect((await offering(fact.id)).enrolledCount).to.equal(1);
      await syncEnrollments([anna]);
      expect(await enrollment(anna.id)).to.include({ status: 'enrolled', version: 3 });
      expect((await offering(fact.id)).enrolledCount).to.equal(2);
      expect(await announced(anna.id)).to.deep.equal([
        'enrolled (batch)',
        'withdrawn (batch)',
        'enrolled (batch)',
      ]);
    });

    it('applies a later run after an earlier one even when both arrive at once (two batches in flight)', async () => {
      const fact = classFact();
      await syncClasses([fact]);
      const learners = Array.from({ length: 200 }, () => studentIn(fact.id));
      // Run 1 enrolls 200 learners; run 2, published right behind it, withdraws them all. Were
      // they applied side by side, run 2 would find nothing to withdraw and run 1 would win.
      const earlier = batch('enrollments', learners);
      const later = batch(
        'enrollments',
        learners.map((l) => ({ ...l, active: false })),
      );
      await h.bus.publish([earlier, later]);
      expect((await h.handled(lmsFactsGroup, earlier.id)).map((o) => o.ok)).to.deep.equal([true]);
      expect((await h.handled(lmsFactsGroup, later.id)).map((o) => o.ok)).to.deep.equal([true]);
      const statuses = await db()
        .select({ status: enrollments.status })
        .from(enrollments)
        .where(eq(enrollments.offeringId, fact.id));
      expect(statuses).to.have.length(200);
      expect(new Set(statuses.map((r) => r.status))).to.deep.equal(new Set(['withdrawn']));
      expect((await offering(fact.id)).enrolledCount).to.equal(0);
    });

    it('adds and removes a teacher through teacher enrollments', async () => {
      const fact = classFact();
      await syncClasses([fact]);
      const teacher: LmsEnrollmentFact = { ...studentIn(fact.id), role: 'teacher' };
      await syncEnrollments([teacher]);
      expect(await offering(fact.id)).to.deep.include({ teacherIds: [teacher.personId], version: 2 });
      expect(await enrollment(teacher.id)).to.equal(undefined);
      await syncEnrollments([teacher]);
      await syncEnrollments([{ ...teacher, active: false }]);
      expect(await offering(fact.id)).to.deep.include({ teacherIds: [], version: 3 });
      expect(await emitted(fact.id)).to.deep.equal(['published', 'updated', 'updated']);
    });

    it('completes an enrolled student on a completed grade, and nothing else', async () => {
      const fact = classFact();
      await syncClasses([fact]);
      await db().update(offerings).set({ hours: 34 }).where(eq(offerings.id, fact.id));
      const [anna, boris, vera] = [studentIn(fact.id), studentIn(fact.id), studentIn(fact.id)];
      await syncEnrollments([anna!, boris!, vera!]);
      await syncEnrollments([{ ...vera!, active: false }]);
      const grade = (
        who: LmsEnrollmentFact,
        completed: boolean,
        score: number | null = 18,
      ): LmsGradeFact => ({
        offeringId: fact.id,
        personId: who.personId,
        score,
        maxScore: score === null ? null : 20,
        completed,
      });
      const stranger = { ...grade(anna!, true), personId: uuidv4() };
      await deliver(
        batch('grades', [grade(anna!, true), grade(boris!, false), grade(vera!, true), stranger]),
        2,
      );
      expect(await enrollment(anna!.id)).to.deep.include({
        status: 'completed',
        passed: true,
        mark: '18/20',
        resultHours: 34,
        version: 2,
      });
      expect(await enrollment(boris!.id)).to.include({ status: 'enrolled', version: 1 });
      expect(await enrollment(vera!.id)).to.include({ status: 'withdrawn', version: 2 });
      const completed = await h.events.waitFor(
        (e) =>
          e.type === 'mathnet.courses.enrollments.changed' && itemOf(e, anna!.id)?.status === 'completed',
      );
      expect((completed.data as EnrollmentsChanged).enrollments.map((e) => e.id)).to.deep.equal([anna!.id]);
      expect(itemOf(completed, anna!.id)).to.deep.include({
        actorId: actor,
        result: { mark: '18/20', hours: 34, passed: true, certificateNumber: null },
      });
      await syncGrades([grade(anna!, true, 20), grade(boris!, true, null)]);
      expect(await enrollment(anna!.id)).to.include({ mark: '18/20', version: 2 });
      expect(await enrollment(boris!.id)).to.include({ status: 'completed', mark: null });
      // A completion keeps its seat, as in the network's workflow.
      expect((await offering(fact.id)).enrolledCount).to.equal(2);
      expect(await announced(anna!.id)).to.deep.equal(['enrolled (batch)', 'completed (batch)']);
    });

    it('locks nothing for a batch that changes nothing: an offering locked elsewhere does not hold it up', async function () {
      // Needs a second transaction holding a row lock meanwhile: a PostgreSQL server's pool.
      // Embedded PGlite is one connection, so there the lock could not be held concurrently.
      if (h.database.kind !== 'postgres') this.skip();
      const fact = classFact();
      await syncClasses([fact]);
      const anna = studentIn(fact.id);
      await syncEnrollments([anna]);
      await db().transaction(async (tx) => {
        await tx.select().from(offerings).where(eq(offerings.id, fact.id)).for('update');
        await syncEnrollments([anna]);
        await syncGrades([
          { offeringId: fact.id, personId: uuidv4(), score: 1, maxScore: 2, completed: true },
        ]);
      });
      expect(await announced(anna.id)).to.deep.equal(['enrolled (batch)']);
    });

    it('retries enrollments that arrive before their class, then applies them', async () => {
      const fact = classFact();
      const anna = studentIn(fact.id);
      const early = batch('enrollments', [anna]);
      await h.bus.publish([early]);
      const [first] = await h.handled(lmsFactsGroup, early.id);
      expect(first!.ok).to.equal(false);
      await syncClasses([fact]);
      const outcomes = await h.handled(lmsFactsGroup, early.id, 2);
      expect(outcomes[1]!.ok).to.equal(true);
      expect(await enrollment(anna.id)).to.include({ status: 'enrolled' });
      expect((await offering(fact.id)).enrolledCount).to.equal(1);
    });

    it('applies a batch of 5,000 enrollments in one go', async () => {
      const fact = classFact();
      await syncClasses([fact]);
      const facts = Array.from({ length: 5000 }, () => studentIn(fact.id));
      const before = await lastSeq();
      await syncEnrollments(facts);
      expect((await offering(fact.id)).enrolledCount).to.equal(5000);
      const [announcement, ...more] = await outboxAfter(before);
      expect(more).to.deep.equal([]);
      expect(announcement!.type).to.equal('mathnet.courses.enrollments.changed');
      expect((announcement!.data as EnrollmentsChanged).enrollments.map((e) => e.id)).to.deep.equal(
        facts.map((f) => f.id),
      );
      const sample = facts.filter((_, i) => i % 500 === 0).map((f) => f.id);
      const rows = await db().select().from(enrollments).where(inArray(enrollments.id, sample));
      expect(rows.map((r) => r.status)).to.deep.equal(new Array(sample.length).fill('enrolled'));
      await syncEnrollments(facts);
      expect((await offering(fact.id)).version).to.equal(1);
    });
  });
});
