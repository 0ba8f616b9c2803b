import type { RoleGrant } from '@mathnet/auth';
import { expect } from 'chai';
import { type CoursesHarness, startCourses } from './courses-harness';

type Json = Record<string, unknown>;

describe('individual routes (ИУП / ИОМ)', function () {
  this.timeout(120_000);
  // Strict enough that an empty or thin route fails: 30..1000 hours, two subjects at the advanced level.
  const policy = { minHours: 30, maxHours: 1000, minAdvancedSubjects: 2 };
  let h: CoursesHarness;
  let schoolA: string;
  let schoolB: string;
  let centre: string;
  let university: string;
  let admin: string;
  let coordA: string;
  let coordB: string;
  let coordCentre: string;
  let coordUni: string;
  let teacherA: string;
  let teacherB: string;

  const grant = (role: RoleGrant['role'], organisationId: string, studentId?: string): RoleGrant => ({
    role,
    organisationId,
    ...(studentId ? { studentId } : {}),
  });

  /** fetch with headers and the raw body, for If-Match, Idempotency-Key and binary exports. */
  const call = async (
    method: string,
    path: string,
    token: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${h.url}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const raw = Buffer.from(await res.arrayBuffer());
    const isJson = /json/.test(res.headers.get('content-type') ?? '');
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
    const body: any = isJson ? JSON.parse(raw.toString('utf8')) : undefined;
    return { status: res.status, headers: res.headers, raw, body };
  };

  before(async () => {
    h = await startCourses('routes', policy);
    const authority = await h.organisation('authority');
    schoolA = await h.organisation('school', 'Школа № 1');
    schoolB = await h.organisation('school', 'Школа № 2');
    centre = await h.organisation('gifted_centre', 'Центр одарённых детей');
    university = await h.organisation('university', 'Государственный университет');
    admin = h.tokenFor('00000000-0000-7000-8000-000000000001', [grant('network_admin', authority)]);
    coordA = h.tokenFor('00000000-0000-7000-8000-00000000000a', [grant('school_admin', schoolA)]);
    coordB = h.tokenFor('00000000-0000-7000-8000-00000000000b', [grant('school_admin', schoolB)]);
    coordCentre = h.tokenFor('00000000-0000-7000-8000-00000000000c', [grant('school_admin', centre)]);
    coordUni = h.tokenFor('00000000-0000-7000-8000-00000000000d', [grant('partner', university)]);
    teacherA = h.tokenFor('00000000-0000-7000-8000-0000000000a1', [grant('teacher', schoolA)]);
    teacherB = h.tokenFor('00000000-0000-7000-8000-0000000000b1', [grant('teacher', schoolB)]);
  });
  after(async () => {
    await h?.close();
  });

  const offering = async (token: string, providerId: string, fields: Json) => {
    const created = await h.api('POST', '/v1/offerings', token, {
      providerId,
      kind: 'elective',
      grades: [10, 11],
      format: 'blended',
      capacity: 20,
      termStart: '2026-09-01',
      termEnd: '2027-05-31',
      ...fields,
    });
    expect(created.status, created.text).to.equal(201);
    expect((await h.api('POST', `/v1/offerings/${created.body.id}/publish`, token)).status).to.equal(200);
    return created.body.id as string;
  };

  /** Request (home-school coordinator) → approve → provider accepts: an enrolled seat. */
  const enrolled = async (offeringId: string, studentId: string, provider: string) => {
    const req = await h.api('POST', `/v1/offerings/${offeringId}/enrollments`, coordA, { studentId });
    expect(req.status, req.text).to.equal(201);
    expect((await h.api('POST', `/v1/enrollments/${req.body.id}/approve`, coordA)).status).to.equal(200);
    const accepted = await h.api('POST', `/v1/enrollments/${req.body.id}/accept`, provider);
    expect(accepted.body.status, accepted.text).to.equal('enrolled');
    return req.body.id as string;
  };

  const student = (school = schoolA, givenName = 'Мария') =>
    h.person([{ role: 'student', organisationId: school, grade: 10 }], {
      birthDate: '2008-03-15',
      givenName,
    });

  it('builds a route from three providers, approves it once, versions a change, and exports PDF and CSV', async () => {
    const studentId = await student();
    const mentorId = await h.person([{ role: 'teacher', organisationId: centre }], { givenName: 'Пётр' });
    const mentor = h.tokenFor(mentorId, [grant('teacher', centre)]);
    const me = h.tokenFor(studentId, [grant('student', schoolA)]);
    const olympiad = await offering(coordCentre, centre, {
      title: 'Олимпиадная математика',
      subjects: ['maths'],
      level: 'advanced',
      hours: 72,
    });
    const mechanics = await offering(coordUni, university, {
      title: 'Физика: механика',
      subjects: ['physics', 'maths'],
      level: 'advanced',
      hours: 36,
    });
    const python = await offering(coordB, schoolB, {
      title: 'Программирование на «Python», часть 1',
      subjects: ['informatics'],
      hours: 34,
    });
    const e1 = await enrolled(olympiad, studentId, coordCentre);
    const e2 = await enrolled(mechanics, studentId, coordUni);
    const e3 = await enrolled(python, studentId, coordB);
    const done = await h.api('POST', `/v1/enrollments/${e1}/complete`, coordCentre, {
      passed: true,
      mark: '5',
      hours: 70,
    });
    expect(done.body.status, done.text).to.equal('completed');

    const created = await call('POST', '/v1/routes', me, {
      body: {
        studentId,
        academicYear: '2026/2027',
        goals: 'Подготовка к олимпиадам по математике и физике',
        mentorId,
        individualProject: { topic: 'Диофантовы уравнения', subject: 'maths', supervisor: 'Петров П. П.' },
      },
      headers: { 'idempotency-key': 'route-2026-maria' },
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.id as string;
    expect(created.headers.get('location')).to.equal(`/v1/routes/${id}`);
    expect(created.headers.get('etag')).to.equal('W/"1"');
    expect(created.body).to.include({
      status: 'draft',
      routeVersion: 1,
      homeSchoolId: schoolA,
      academicYear: '2026/2027',
      mentorId,
    });
    expect(created.body.student).to.deep.equal({
      givenName: 'Мария',
      familyName: 'Тестов',
      middleName: null,
    });
    expect(created.body.homeSchool.name).to.equal('Школа № 1');
    const replay = await call('POST', '/v1/routes', me, {
      body: { studentId, academicYear: '2026/2027' },
      headers: { 'idempotency-key': 'route-2026-maria' },
    });
    expect(replay.status).to.equal(201);
    expect(replay.body.id).to.equal(id);
    const duplicate = await h.api('POST', '/v1/routes', coordA, { studentId, academicYear: '2026/2027' });
    expect(duplicate.status).to.equal(409);
    expect(duplicate.body.routeId).to.equal(id);

    for (const enrollmentId of [e1, e2, e3]) {
      const added = await call('POST', `/v1/routes/${id}/items`, me, { body: { enrollmentId } });
      expect(added.status, JSON.stringify(added.body)).to.equal(201);
      expect(added.headers.get('location')).to.match(new RegExp(`^/v1/routes/${id}/items/[0-9a-f-]{36}$`));
    }
    expect((await h.api('POST', `/v1/routes/${id}/items`, me, { enrollmentId: e2 })).status).to.equal(409);
    const project = await h.api('POST', `/v1/routes/${id}/items`, coordA, {
      kind: 'research_project',
      title: 'Исследование: диофантовы уравнения',
      subject: 'maths',
      level: 'advanced',
      hours: 20,
      topic: 'Диофантовы уравнения',
      supervisor: 'Петров П. П.',
      providerId: centre,
    });
    expect(project.status, project.text).to.equal(201);

    const route = await h.api('GET', `/v1/routes/${id}`, me);
    expect(route.status).to.equal(200);
    const items = route.body.items as Json[];
    expect(
      items.map((i) => [i.kind, i.title, i.subject, i.level, i.hours, i.completedHours, i.status]),
    ).to.deep.equal([
      ['enrollment', 'Олимпиадная математика', 'maths', 'advanced', 72, 70, 'completed'],
      ['enrollment', 'Физика: механика', 'physics', 'advanced', 36, 0, 'enrolled'],
      ['enrollment', 'Программирование на «Python», часть 1', 'informatics', 'basic', 34, 0, 'enrolled'],
      ['research_project', 'Исследование: диофантовы уравнения', 'maths', 'advanced', 20, 0, 'planned'],
    ]);
    expect(new Set(items.map((i) => i.providerId))).to.deep.equal(new Set([centre, university, schoolB]));
    expect(route.body.totals).to.deep.equal({
      totalHours: 162,
      bySubject: [
        { subject: 'informatics', hours: 34, basic: 34, advanced: 0 },
        { subject: 'maths', hours: 92, basic: 0, advanced: 92 },
        { subject: 'physics', hours: 36, basic: 0, advanced: 36 },
      ],
      byLevel: { basic: 34, advanced: 128 },
    });
    expect(route.body.progress).to.deep.equal({ plannedHours: 162, completedHours: 70, percent: 43.2 });
    expect(route.body.validation).to.deep.equal({ valid: true, problems: [] });

    expect(
      (await h.api('POST', `/v1/routes/${id}/approve`, coordA, { orderNumber: '1', orderDate: '2026-09-10' }))
        .status,
    ).to.equal(409);
    const submitted = await h.api('POST', `/v1/routes/${id}/submit`, me);
    expect(submitted.body.status, submitted.text).to.equal('submitted');
    expect((await h.api('POST', `/v1/routes/${id}/submit`, me)).status).to.equal(409);
    expect(
      (await h.api('POST', `/v1/routes/${id}/approve`, me, { orderNumber: '1', orderDate: '2026-09-10' }))
        .status,
    ).to.equal(403);
    expect(
      (await h.api('POST', `/v1/routes/${id}/approve`, coordB, { orderNumber: '1', orderDate: '2026-09-10' }))
        .status,
    ).to.equal(403);
    expect(
      (await h.api('POST', `/v1/routes/${id}/approve`, coordA, { orderNumber: '', orderDate: '10.09.2026' }))
        .status,
    ).to.equal(400);
    const approved = await h.api('POST', `/v1/routes/${id}/approve`, coordA, {
      orderNumber: '112-у',
      orderDate: '2026-09-10',
    });
    expect(approved.status, approved.text).to.equal(200);
    expect(approved.body).to.include({ status: 'approved', routeVersion: 1 });
    expect(approved.body.approval).to.include({
      orderNumber: '112-у',
      orderDate: '2026-09-10',
      approvedBy: '00000000-0000-7000-8000-00000000000a',
    });

    const event = await h.events.waitFor(
      (e) => e.type === 'mathnet.courses.route.approved' && e.subject === id,
    );
    expect(event.data).to.deep.equal({
      id,
      studentId,
      homeSchoolId: schoolA,
      academicYear: '2026/2027',
      version: 1,
      totalHours: 162,
      approvedBy: '00000000-0000-7000-8000-00000000000a',
      orderNumber: '112-у',
      orderDate: '2026-09-10',
    });

    // The mentor records the project as done; that is progress, not a new version.
    const projectId = items[3]!.id as string;
    expect(
      (await h.api('POST', `/v1/routes/${id}/items/${projectId}/complete`, teacherA, {})).status,
    ).to.equal(403);
    expect(
      (await h.api('POST', `/v1/routes/${id}/items/${items[1]!.id}/complete`, mentor, {})).status,
    ).to.equal(409);
    const marked = await h.api('POST', `/v1/routes/${id}/items/${projectId}/complete`, mentor, {});
    expect(marked.status, marked.text).to.equal(200);
    expect(marked.body).to.include({ status: 'approved', routeVersion: 1 });
    expect(marked.body.progress).to.deep.equal({ plannedHours: 162, completedHours: 90, percent: 55.6 });
    expect(marked.body.items[3]).to.include({ status: 'done', completedHours: 20 });

    // A change after approval opens version 2 as a draft; a stale If-Match is refused.
    const stale = await call('PATCH', `/v1/routes/${id}`, me, {
      body: { goals: 'x' },
      headers: { 'if-match': 'W/"1"' },
    });
    expect(stale.status).to.equal(412);
    const changed = await call('PATCH', `/v1/routes/${id}`, me, {
      body: { goals: 'Олимпиады по математике, физике и информатике' },
      headers: { 'if-match': marked.headers.get('etag')! },
    });
    expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
    expect(changed.body).to.include({ status: 'draft', routeVersion: 2, approval: null });
    const removed = await h.api('DELETE', `/v1/routes/${id}/items/${items[1]!.id}`, me);
    expect(removed.status, removed.text).to.equal(200);
    expect(removed.body).to.include({ status: 'draft', routeVersion: 2 });
    expect(removed.body.totals.totalHours).to.equal(126);
    expect(removed.body.items[2]).to.include({ status: 'done', completedHours: 20 });

    const history = removed.body.history as {
      routeVersion: number;
      action: string;
      status: string;
      actorId: string;
      snapshot: Json;
    }[];
    expect(history.map((e) => [e.routeVersion, e.action, e.status])).to.deep.equal([
      [1, 'create', 'draft'],
      [1, 'add_item', 'draft'],
      [1, 'add_item', 'draft'],
      [1, 'add_item', 'draft'],
      [1, 'add_item', 'draft'],
      [1, 'submit', 'submitted'],
      [1, 'approve', 'approved'],
      [1, 'complete_item', 'approved'],
      [2, 'update', 'draft'],
      [2, 'remove_item', 'draft'],
    ]);
    expect(history[1]!.actorId).to.equal(studentId);
    expect(history[7]!.actorId).to.equal(mentorId);
    const approvedSnapshot = history[6]!.snapshot as { route: Json; items: Json[]; totalHours: number };
    expect(approvedSnapshot.route).to.include({
      orderNumber: '112-у',
      routeVersion: 1,
      goals: 'Подготовка к олимпиадам по математике и физике',
    });
    expect(approvedSnapshot.items).to.have.length(4);
    expect(approvedSnapshot.totalHours).to.equal(162);
    expect((history[9]!.snapshot as { items: Json[] }).items).to.have.length(3);

    // Version 2 goes through approval again: without physics only one subject is advanced, so not yet.
    const thin = await h.api('POST', `/v1/routes/${id}/submit`, coordA);
    expect(thin.status).to.equal(409);
    expect(thin.body.problems.map((p: Json) => p.code)).to.deep.equal(['too_few_advanced_subjects']);
    expect((await h.api('POST', `/v1/routes/${id}/items`, coordA, { enrollmentId: e2 })).status).to.equal(
      201,
    );
    expect((await h.api('POST', `/v1/routes/${id}/submit`, coordA)).body.status).to.equal('submitted');
    const again = await h.api('POST', `/v1/routes/${id}/approve`, admin, {
      orderNumber: '140-у',
      orderDate: '2026-10-01',
    });
    expect(again.body).to.include({ status: 'approved', routeVersion: 2 });
    const both = await h.events.waitForCount(
      (e) => e.type === 'mathnet.courses.route.approved' && e.subject === id,
      2,
    );
    expect(
      both.map((e) => [(e.data as Json).version, (e.data as Json).totalHours, (e.data as Json).orderNumber]),
    ).to.deep.equal([
      [1, 162, '112-у'],
      [2, 162, '140-у'],
    ]);
    expect(
      h.events.events.filter((e) => e.type === 'mathnet.courses.route.approved' && e.subject === id),
    ).to.have.length(2);

    const pdf = await call('GET', `/v1/routes/${id}/export?format=pdf`, me);
    expect(pdf.status).to.equal(200);
    expect(pdf.headers.get('content-type')).to.equal('application/pdf');
    expect(pdf.headers.get('content-disposition')).to.equal(
      `attachment; filename="route-2026-2027-${studentId}.pdf"`,
    );
    expect(pdf.raw.subarray(0, 5).toString('latin1')).to.equal('%PDF-');
    const pages = pdf.raw.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? [];
    expect(pages.length).to.be.at.least(1);
    expect(pdf.raw.toString('latin1').trimEnd().endsWith('%%EOF')).to.equal(true);

    const csv = await call('GET', `/v1/routes/${id}/export?format=csv`, mentor);
    expect(csv.status).to.equal(200);
    expect(csv.headers.get('content-type')).to.equal('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).to.equal(
      `attachment; filename="route-2026-2027-${studentId}.csv"`,
    );
    expect([...csv.raw.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const lines = csv.raw.toString('utf8').slice(1).trimEnd().split('\r\n');
    expect(lines).to.deep.equal([
      'subject,level,kind,title,provider,hours,completed hours,status',
      'maths,advanced,elective,Олимпиадная математика,Центр одарённых детей,72,70,completed',
      'informatics,basic,elective,"Программирование на «Python», часть 1",Школа № 2,34,0,enrolled',
      'maths,advanced,research_project,Исследование: диофантовы уравнения,Центр одарённых детей,20,20,done',
      'physics,advanced,elective,Физика: механика,Государственный университет,36,0,enrolled',
    ]);
    expect((await call('GET', `/v1/routes/${id}/export?format=docx`, me)).status).to.equal(400);
  });

  it('blocks submission of a route that breaks the policy with 409 listing the problems', async () => {
    const studentId = await student(schoolA, 'Анна');
    const parentId = await h.person([{ role: 'parent', organisationId: schoolA, studentId }]);
    const parent = h.tokenFor(parentId, [grant('parent', schoolA, studentId)]);
    const created = await h.api('POST', '/v1/routes', parent, { studentId, academicYear: '2026/2027' });
    expect(created.status, created.text).to.equal(201);
    const id = created.body.id;
    expect(created.body.validation.problems.map((p: Json) => p.code)).to.deep.equal([
      'no_items',
      'too_few_hours',
      'too_few_advanced_subjects',
    ]);

    const empty = await h.api('POST', `/v1/routes/${id}/submit`, parent);
    expect(empty.status).to.equal(409);
    expect(empty.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(empty.body.problems.map((p: Json) => p.code)).to.deep.equal([
      'no_items',
      'too_few_hours',
      'too_few_advanced_subjects',
    ]);

    await h.api('POST', `/v1/routes/${id}/items`, parent, {
      kind: 'conference',
      title: 'Научная конференция школьников',
      subject: 'physics',
      hours: 12,
      level: 'advanced',
    });
    const thin = await h.api('POST', `/v1/routes/${id}/submit`, parent);
    expect(thin.status).to.equal(409);
    expect(thin.body.problems.map((p: Json) => p.code)).to.deep.equal([
      'too_few_hours',
      'too_few_advanced_subjects',
    ]);
    expect(thin.body.detail).to.contain('12 hours; at least 30');

    await h.api('POST', `/v1/routes/${id}/items`, parent, {
      kind: 'study_visit',
      title: 'Учебный день в университете',
      subject: 'maths',
      hours: 24,
      level: 'advanced',
    });
    const ok = await h.api('POST', `/v1/routes/${id}/submit`, parent);
    expect(ok.status, ok.text).to.equal(200);
    expect(ok.body.validation).to.deep.equal({ valid: true, problems: [] });

    // A change to a submitted route sends it back to draft (nobody approves what they did not see).
    const added = await h.api('POST', `/v1/routes/${id}/items`, parent, {
      kind: 'other',
      title: 'Летняя школа',
      subject: 'maths',
      hours: 2000,
    });
    expect(added.body).to.include({ status: 'draft', routeVersion: 1 });
    const tooMuch = await h.api('POST', `/v1/routes/${id}/submit`, parent);
    expect(tooMuch.status).to.equal(409);
    expect(tooMuch.body.problems.map((p: Json) => p.code)).to.deep.equal(['too_many_hours']);

    const returned = await h.api('POST', `/v1/routes/${id}/return`, coordA, { reason: 'x' });
    expect(returned.status).to.equal(409);

    for (const bad of [
      { studentId, academicYear: '2026/2028' },
      { studentId, academicYear: '2026' },
      { studentId: 'nope', academicYear: '2026/2027' },
      { studentId, academicYear: '2027/2028', extra: 1 },
      { studentId: '00000000-0000-7000-8000-00000000ffff', academicYear: '2027/2028' },
    ]) {
      const res = await h.api('POST', '/v1/routes', coordA, bad);
      expect(res.status, JSON.stringify(bad)).to.equal(400);
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    }
    expect(
      (
        await h.api('POST', `/v1/routes/${id}/items`, parent, {
          kind: 'lecture',
          title: 'x',
          subject: 'maths',
          hours: 1,
        })
      ).status,
    ).to.equal(400);
    expect(
      (
        await h.api('POST', `/v1/routes/${id}/items`, parent, {
          kind: 'other',
          title: 'x',
          subject: 'maths',
          hours: -1,
        })
      ).status,
    ).to.equal(400);
    expect((await h.api('PATCH', `/v1/routes/${id}`, parent, {})).status).to.equal(400);
    expect((await h.api('GET', '/v1/routes/not-a-uuid', parent)).status).to.equal(404);

    // Racing creations for one student and year: exactly one route, the rest 409.
    const racer = await student(schoolA, 'Гонщик');
    const raced = await Promise.all(
      Array.from({ length: 6 }, () =>
        h.api('POST', '/v1/routes', coordA, { studentId: racer, academicYear: '2028/2029' }),
      ),
    );
    expect(raced.map((r) => r.status).sort()).to.deep.equal([201, 409, 409, 409, 409, 409]);

    const doc = await h.api('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths)).to.include.members([
      '/v1/routes',
      '/v1/routes/{id}',
      '/v1/routes/{id}/items',
      '/v1/routes/{id}/items/{itemId}/complete',
      '/v1/routes/{id}/approve',
      '/v1/routes/{id}/export',
      '/v1/teachers/{id}/training',
    ]);
    expect(doc.body.components.schemas).to.include.keys(
      'Route',
      'RouteItem',
      'RouteSummary',
      'TeacherTraining',
    );
  });

  it('answers 403 to students, teachers and parents of others, and lists only what each may see', async () => {
    const studentId = await student(schoolA, 'Олег');
    const parentId = await h.person([{ role: 'parent', organisationId: schoolA, studentId }]);
    const otherStudent = await student(schoolB, 'Ирина');
    const otherParentId = await h.person([
      { role: 'parent', organisationId: schoolB, studentId: otherStudent },
    ]);
    const own = h.tokenFor(studentId, [grant('student', schoolA)]);
    const parent = h.tokenFor(parentId, [grant('parent', schoolA, studentId)]);
    const strangerStudent = h.tokenFor(otherStudent, [grant('student', schoolB)]);
    const strangerParent = h.tokenFor(otherParentId, [grant('parent', schoolB, otherStudent)]);

    expect(
      (await h.api('POST', '/v1/routes', strangerStudent, { studentId, academicYear: '2027/2028' })).status,
    ).to.equal(403);
    expect(
      (await h.api('POST', '/v1/routes', strangerParent, { studentId, academicYear: '2027/2028' })).status,
    ).to.equal(403);
    expect(
      (await h.api('POST', '/v1/routes', coordB, { studentId, academicYear: '2027/2028' })).status,
    ).to.equal(403);
    const created = await h.api('POST', '/v1/routes', own, { studentId, academicYear: '2027/2028' });
    expect(created.status, created.text).to.equal(201);
    const id = created.body.id;
    const mine = await h.api('POST', '/v1/routes', strangerStudent, {
      studentId: otherStudent,
      academicYear: '2027/2028',
    });
    expect(mine.status).to.equal(201);

    for (const [who, token] of [
      ['student of another school', strangerStudent],
      ['teacher of another school', teacherB],
      ['parent of another child', strangerParent],
      ['coordinator of another school', coordB],
    ] as const) {
      expect((await h.api('GET', `/v1/routes/${id}`, token)).status, who).to.equal(403);
      expect((await h.api('GET', `/v1/routes/${id}/export?format=csv`, token)).status, who).to.equal(403);
      expect((await h.api('PATCH', `/v1/routes/${id}`, token, { goals: 'x' })).status, who).to.equal(403);
      expect(
        (
          await h.api('POST', `/v1/routes/${id}/items`, token, {
            kind: 'other',
            title: 'x',
            subject: 'maths',
            hours: 1,
          })
        ).status,
        who,
      ).to.equal(403);
      expect((await h.api('POST', `/v1/routes/${id}/submit`, token)).status, who).to.equal(403);
      const list = await h.api('GET', '/v1/routes?academicYear=2027/2028', token);
      expect(
        list.body.items.map((r: Json) => r.id),
        who,
      ).to.not.include(id);
    }
    expect((await h.api('GET', `/v1/routes/${id}`, teacherA)).status).to.equal(200);
    expect((await h.api('PATCH', `/v1/routes/${id}`, teacherA, { goals: 'x' })).status).to.equal(403);
    expect((await h.api('GET', `/v1/routes/${id}`, parent)).status).to.equal(200);

    // The enrollment of another student, or one not yet approved, does not go into the route.
    const course = await offering(coordCentre, centre, {
      title: 'Астрономия',
      subjects: ['astronomy'],
      hours: 18,
    });
    const othersSeat = await h.api('POST', `/v1/offerings/${course}/enrollments`, strangerStudent, {
      studentId: otherStudent,
    });
    expect(
      (await h.api('POST', `/v1/routes/${id}/items`, own, { enrollmentId: othersSeat.body.id })).status,
    ).to.equal(400);
    const requested = await h.api('POST', `/v1/offerings/${course}/enrollments`, own, { studentId });
    expect(
      (await h.api('POST', `/v1/routes/${id}/items`, own, { enrollmentId: requested.body.id })).status,
    ).to.equal(409);

    const visible = async (token: string) =>
      ((await h.api('GET', '/v1/routes?academicYear=2027/2028&limit=200', token)).body.items as Json[])
        .map((r) => r.id)
        .sort();
    expect(await visible(own)).to.deep.equal([id]);
    expect(await visible(parent)).to.deep.equal([id]);
    expect(await visible(coordA)).to.deep.equal([id]);
    expect(await visible(coordB)).to.deep.equal([mine.body.id]);
    expect(await visible(admin)).to.deep.equal([id, mine.body.id].sort());
    const byStudent = await h.api('GET', `/v1/routes?studentId=${studentId}`, admin);
    expect(byStudent.body.items.map((r: Json) => r.id)).to.deep.equal([id]);
    expect(byStudent.body.items[0]).to.include({ totalHours: 0, itemCount: 0, status: 'draft' });

    const first = await h.api('GET', '/v1/routes?limit=1', admin);
    expect(first.body.items).to.have.length(1);
    const second = await h.api('GET', `/v1/routes?limit=1&cursor=${first.body.nextCursor}`, admin);
    expect(second.body.items[0].id).to.not.equal(first.body.items[0].id);
    expect((await h.api('GET', '/v1/routes?cursor=%%%', admin)).status).to.equal(400);
  });
});
