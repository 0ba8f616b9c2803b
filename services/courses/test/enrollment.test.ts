import type { RoleGrant } from '@mathnet/auth';
import { expect } from 'chai';
import { type CoursesHarness, startCourses } from './courses-harness';

describe('enrollment across schools', function () {
  this.timeout(120_000);
  let h: CoursesHarness;
  let admin: string;
  let schoolA: string;
  let university: string;
  let coordA: string;
  let coordUni: string;
  let teacherUni: string;

  const grant = (role: RoleGrant['role'], organisationId: string, studentId?: string): RoleGrant => ({
    role,
    organisationId,
    ...(studentId ? { studentId } : {}),
  });

  before(async () => {
    h = await startCourses('enrollment');
    const authority = await h.organisation('authority');
    schoolA = await h.organisation('school', 'Школа А');
    university = await h.organisation('university', 'Университет');
    admin = h.tokenFor('00000000-0000-7000-8000-000000000001', [grant('network_admin', authority)]);
    coordA = h.tokenFor('00000000-0000-7000-8000-00000000000a', [grant('school_admin', schoolA)]);
    coordUni = h.tokenFor('00000000-0000-7000-8000-00000000000b', [grant('school_admin', university)]);
    teacherUni = h.tokenFor('00000000-0000-7000-8000-00000000000c', [grant('teacher', university)]);
  });
  after(async () => {
    await h?.close();
  });

  const offering = async (extra: Record<string, unknown> = {}, token = coordUni, providerId = university) => {
    const created = await h.api('POST', '/v1/offerings', token, {
      title: 'Олимпиадная математика',
      providerId,
      kind: 'elective',
      subjects: ['maths'],
      grades: [10, 11],
      format: 'distance',
      capacity: 10,
      ...extra,
    });
    expect(created.status, created.text).to.equal(201);
    const published = await h.api('POST', `/v1/offerings/${created.body.id}/publish`, token);
    expect(published.status, published.text).to.equal(200);
    return created.body.id as string;
  };

  const student = (school = schoolA, birthDate: string | null = '2009-09-01') =>
    h.person([{ role: 'student', organisationId: school, grade: 10 }], { birthDate });

  /** A student already approved by the home school, ready for the provider. */
  const approved = async (offeringId: string, school: string, coordinator: string) => {
    const studentId = await h.person([{ role: 'student', organisationId: school, grade: 10 }], {
      birthDate: '2000-01-01',
    });
    const req = await h.api('POST', `/v1/offerings/${offeringId}/enrollments`, coordinator, { studentId });
    expect(req.status, req.text).to.equal(201);
    const ok = await h.api('POST', `/v1/enrollments/${req.body.id}/approve`, coordinator);
    expect(ok.status, ok.text).to.equal(200);
    return req.body.id as string;
  };

  it('runs request → consent → approve → accept → complete → credit, each step recorded and emitted once', async () => {
    const offeringId = await offering({ hours: 36 });
    const studentId = await student();
    const parentId = await h.person([{ role: 'parent', organisationId: schoolA, studentId }]);
    const studentToken = h.tokenFor(studentId, [grant('student', schoolA)]);
    const parentToken = h.tokenFor(parentId, [grant('parent', schoolA, studentId)]);

    const requested = await h.api('POST', `/v1/offerings/${offeringId}/enrollments`, studentToken, {
      studentId,
    });
    expect(requested.status).to.equal(201);
    expect(requested.body).to.include({ status: 'requested', needsConsent: true, homeSchoolId: schoolA });
    const id = requested.body.id;
    expect((await h.api('POST', `/v1/enrollments/${id}/approve`, coordA)).status).to.equal(409);
    expect((await h.api('POST', `/v1/enrollments/${id}/consent`, parentToken)).body.status).to.equal(
      'consented',
    );
    expect((await h.api('POST', `/v1/enrollments/${id}/approve`, coordA)).body.status).to.equal('approved');
    expect((await h.api('POST', `/v1/enrollments/${id}/accept`, coordUni)).body.status).to.equal('enrolled');
    const done = await h.api('POST', `/v1/enrollments/${id}/complete`, teacherUni, {
      passed: true,
      mark: '5',
      certificateNumber: 'ТУ-2026-001',
    });
    expect(done.body.status).to.equal('completed');
    expect(done.body.result).to.deep.equal({
      mark: '5',
      hours: 36,
      passed: true,
      certificateNumber: 'ТУ-2026-001',
    });
    const credit = await h.api('POST', `/v1/enrollments/${id}/credit`, coordA, {
      decision: 'credited',
      subject: 'maths',
      hours: 34,
    });
    expect(credit.status, credit.text).to.equal(200);
    expect(credit.body.credit).to.include({ decision: 'credited', subject: 'maths', hours: 34 });

    await h.events.waitFor((e) => e.type === 'mathnet.courses.credit.decided' && e.subject === id);
    const types = h.events.events.filter((e) => e.subject === id).map((e) => e.type);
    expect(types).to.deep.equal([
      'mathnet.courses.enrollment.requested',
      'mathnet.courses.enrollment.approved',
      'mathnet.courses.enrollment.enrolled',
      'mathnet.courses.enrollment.completed',
      'mathnet.courses.credit.decided',
    ]);
    const detail = await h.api('GET', `/v1/enrollments/${id}`, studentToken);
    expect(detail.body.steps.map((s: { action: string }) => s.action)).to.deep.equal([
      'request',
      'consent',
      'approve',
      'accept',
      'complete',
    ]);
    expect(detail.body.steps[1].actorId).to.equal(parentId);
    expect(
      (await h.api('POST', `/v1/enrollments/${id}/credit`, coordA, { decision: 'refused' })).status,
    ).to.equal(409);
  });

  it('accepts 50 approved students concurrently into 10 seats: exactly 10 enrolled, 40 waitlisted; a withdrawal promotes the earliest once', async () => {
    const offeringId = await offering({ capacity: 10 });
    const ids: string[] = [];
    for (let i = 0; i < 50; i += 1) ids.push(await approved(offeringId, schoolA, coordA));
    const answers = await Promise.all(
      ids.map((id) => h.api('POST', `/v1/enrollments/${id}/accept`, coordUni)),
    );
    expect(answers.map((a) => a.status).every((s) => s === 200)).to.equal(true);
    const statuses = answers.map((a) => a.body.status as string);
    expect(statuses.filter((s) => s === 'enrolled')).to.have.length(10);
    expect(statuses.filter((s) => s === 'waitlisted')).to.have.length(40);
    const offeringNow = await h.api('GET', `/v1/offerings/${offeringId}`, admin);
    expect(offeringNow.body).to.include({ enrolled: 10, freeSeats: 0 });

    const list = await h.api(
      'GET',
      `/v1/enrollments?offeringId=${offeringId}&status=waitlisted&limit=100`,
      admin,
    );
    const earliest = [...list.body.items].sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id))[0];
    const leaving = answers.find((a) => a.body.status === 'enrolled')!.body.id;
    const withdrawn = await h.api('POST', `/v1/enrollments/${leaving}/withdraw`, coordA);
    expect(withdrawn.body.status).to.equal('withdrawn');
    expect((await h.api('GET', `/v1/enrollments/${earliest.id}`, admin)).body.status).to.equal('enrolled');
    const enrolledNow = await h.api(
      'GET',
      `/v1/enrollments?offeringId=${offeringId}&status=enrolled&limit=100`,
      admin,
    );
    expect(enrolledNow.body.items).to.have.length(10);
    await h.events.waitFor((e) => e.type === 'mathnet.courses.enrollment.withdrawn' && e.subject === leaving);
    await h.events.waitFor(
      (e) =>
        e.type === 'mathnet.courses.enrollment.enrolled' &&
        e.subject === earliest.id &&
        (e.data as { actorId: string }).actorId === 'system:waitlist',
    );
    expect((await h.api('POST', `/v1/enrollments/${leaving}/withdraw`, coordA)).status).to.equal(409);
    const promotions = h.events.events.filter(
      (e) =>
        e.type === 'mathnet.courses.enrollment.enrolled' &&
        (e.data as { offeringId: string }).offeringId === offeringId,
    );
    expect(promotions).to.have.length(11);
  });

  it('respects a per-school quota under concurrency, and promotes only where the quota allows', async () => {
    const offeringId = await offering({ capacity: 10, schoolQuota: 3 });
    const schools = [
      schoolA,
      await h.organisation('school'),
      await h.organisation('school'),
      await h.organisation('school'),
    ];
    const coordinators = schools.map((s, i) =>
      h.tokenFor(`00000000-0000-7000-8000-0000000001${String(i).padStart(2, '0')}`, [
        grant('school_admin', s),
      ]),
    );
    const ids: { id: string; school: string }[] = [];
    for (let i = 0; i < 40; i += 1) {
      const k = i % 4;
      ids.push({ id: await approved(offeringId, schools[k]!, coordinators[k]!), school: schools[k]! });
    }
    const answers = await Promise.all(
      ids.map(({ id }) => h.api('POST', `/v1/enrollments/${id}/accept`, coordUni)),
    );
    const enrolled = answers
      .filter((a) => a.body.status === 'enrolled')
      .map((a) => a.body.homeSchoolId as string);
    expect(enrolled).to.have.length(10);
    for (const school of schools) expect(enrolled.filter((s) => s === school).length).to.be.at.most(3);
    expect(answers.filter((a) => a.body.status === 'waitlisted')).to.have.length(30);
    // The school with fewer than 3 seats gets the next free seat, even if others waited longer.
    const perSchool = new Map(schools.map((s) => [s, enrolled.filter((x) => x === s).length]));
    const full = schools.find((s) => perSchool.get(s) === 3)!;
    const leaving = answers.find((a) => a.body.status === 'enrolled' && a.body.homeSchoolId === full)!.body
      .id;
    await h.api('POST', `/v1/enrollments/${leaving}/withdraw`, admin);
    const after = await h.api(
      'GET',
      `/v1/enrollments?offeringId=${offeringId}&status=enrolled&limit=100`,
      admin,
    );
    expect(after.body.items).to.have.length(10);
    const counts = schools.map(
      (s) => after.body.items.filter((e: { homeSchoolId: string }) => e.homeSchoolId === s).length,
    );
    expect(Math.max(...counts)).to.be.at.most(3);
  });

  it('answers 403 to the wrong actor at each step, 409 to illegal transitions, 400 to bad input', async () => {
    const offeringId = await offering();
    const studentId = await student(schoolA, '2000-01-01');
    const otherSchool = await h.organisation('school');
    const coordOther = h.tokenFor('00000000-0000-7000-8000-0000000000ff', [
      grant('school_admin', otherSchool),
    ]);
    const strangerStudent = h.tokenFor(await student(otherSchool), [grant('student', otherSchool)]);
    const studentToken = h.tokenFor(studentId, [grant('student', schoolA)]);

    expect(
      (await h.api('POST', `/v1/offerings/${offeringId}/enrollments`, strangerStudent, { studentId })).status,
    ).to.equal(403);
    expect(
      (await h.api('POST', `/v1/offerings/${offeringId}/enrollments`, coordOther, { studentId })).status,
    ).to.equal(403);
    const req = await h.api('POST', `/v1/offerings/${offeringId}/enrollments`, studentToken, { studentId });
    expect(req.body.needsConsent).to.equal(false);
    const id = req.body.id;
    expect(
      (await h.api('POST', `/v1/offerings/${offeringId}/enrollments`, studentToken, { studentId })).status,
    ).to.equal(409);
    expect((await h.api('POST', `/v1/enrollments/${id}/approve`, coordOther)).status).to.equal(403);
    expect((await h.api('POST', `/v1/enrollments/${id}/approve`, studentToken)).status).to.equal(403);
    expect((await h.api('POST', `/v1/enrollments/${id}/consent`, coordA)).status).to.equal(403);
    expect((await h.api('POST', `/v1/enrollments/${id}/accept`, coordUni)).status).to.equal(409);
    expect((await h.api('POST', `/v1/enrollments/${id}/approve`, coordA)).status).to.equal(200);
    expect((await h.api('POST', `/v1/enrollments/${id}/accept`, coordA)).status).to.equal(403);
    expect((await h.api('POST', `/v1/enrollments/${id}/accept`, coordUni)).status).to.equal(200);
    expect((await h.api('POST', `/v1/enrollments/${id}/accept`, coordUni)).status).to.equal(409);
    expect(
      (await h.api('POST', `/v1/enrollments/${id}/complete`, studentToken, { passed: true })).status,
    ).to.equal(403);
    expect(
      (await h.api('POST', `/v1/enrollments/${id}/complete`, teacherUni, { passed: 'yes' })).status,
    ).to.equal(400);
    expect((await h.api('GET', `/v1/enrollments/${id}`, strangerStudent)).status).to.equal(403);
    expect((await h.api('POST', `/v1/enrollments/${id}/withdraw`, studentToken)).status).to.equal(200);
    const late = await h.api('POST', `/v1/enrollments/${id}/complete`, teacherUni, { passed: true });
    expect(late.status).to.equal(409);
    expect(late.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(late.body.currentStatus).to.equal('withdrawn');

    expect(
      (await h.api('POST', `/v1/offerings/${offeringId}/enrollments`, studentToken, { studentId: 'nope' }))
        .status,
    ).to.equal(400);
    const machine = h.token({
      subject: 'mn_lms_client',
      kind: 'client',
      roles: [grant('lms_client', schoolA)],
    });
    const machineList = await h.api('GET', '/v1/enrollments', machine);
    expect(machineList.status).to.equal(200);
    expect((await h.api('POST', `/v1/enrollments/${id}/reject`, admin, {})).status).to.equal(400);
    expect((await h.api('POST', '/v1/enrollments/not-an-id/approve', admin)).status).to.equal(404);
    expect(
      (
        await h.api('POST', '/v1/offerings', coordA, {
          title: 'x',
          providerId: university,
          kind: 'elective',
          subjects: ['maths'],
          grades: [10],
          format: 'distance',
          capacity: 5,
        })
      ).status,
    ).to.equal(403);
    expect(
      (
        await h.api('POST', '/v1/offerings', coordUni, {
          title: 'x',
          providerId: university,
          kind: 'lecture',
          subjects: ['maths'],
          grades: [10],
          format: 'distance',
          capacity: 5,
        })
      ).status,
    ).to.equal(400);
  });

  it('refuses approval when the timetable clashes with another confirmed enrollment', async () => {
    const monday = [{ weekday: 1, start: '15:00', end: '16:30' }];
    const first = await offering({ schedule: monday, termStart: '2026-09-01', termEnd: '2026-12-25' });
    const second = await offering({
      title: 'Физика',
      subjects: ['physics'],
      schedule: [{ weekday: 1, start: '16:00', end: '17:00' }],
      termStart: '2026-10-01',
      termEnd: '2027-05-25',
    });
    const studentId = await student(schoolA, '2000-01-01');
    const a = await h.api('POST', `/v1/offerings/${first}/enrollments`, coordA, { studentId });
    expect((await h.api('POST', `/v1/enrollments/${a.body.id}/approve`, coordA)).status).to.equal(200);
    const b = await h.api('POST', `/v1/offerings/${second}/enrollments`, coordA, { studentId });
    const clash = await h.api('POST', `/v1/enrollments/${b.body.id}/approve`, coordA);
    expect(clash.status).to.equal(409);
    expect(clash.body.clashWith).to.equal(first);
    const rejected = await h.api('POST', `/v1/enrollments/${b.body.id}/reject`, coordA, {
      reason: 'Пересечение по расписанию',
    });
    expect(rejected.body).to.include({ status: 'rejected', reason: 'Пересечение по расписанию' });
  });
});
