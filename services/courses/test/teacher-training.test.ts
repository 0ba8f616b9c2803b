import type { RoleGrant } from '@mathnet/auth';
import { expect } from 'chai';
import { type CoursesHarness, startCourses } from './courses-harness';

type Json = Record<string, unknown>;

describe('teacher training record', function () {
  this.timeout(120_000);
  let h: CoursesHarness;
  let schoolA: string;
  let schoolB: string;
  let institute: string;
  let admin: string;
  let coordA: string;
  let coordB: string;
  let coordInstitute: string;

  const grant = (role: RoleGrant['role'], organisationId: string): RoleGrant => ({ role, organisationId });

  before(async () => {
    h = await startCourses('teacher-training');
    const authority = await h.organisation('authority');
    schoolA = await h.organisation('school', 'Школа № 5');
    schoolB = await h.organisation('school', 'Школа № 6');
    institute = await h.organisation('partner', 'Институт развития образования');
    admin = h.tokenFor('00000000-0000-7000-8000-000000000001', [grant('network_admin', authority)]);
    coordA = h.tokenFor('00000000-0000-7000-8000-00000000000a', [grant('school_admin', schoolA)]);
    coordB = h.tokenFor('00000000-0000-7000-8000-00000000000b', [grant('school_admin', schoolB)]);
    coordInstitute = h.tokenFor('00000000-0000-7000-8000-00000000000c', [grant('partner', institute)]);
  });
  after(async () => {
    await h?.close();
  });

  const training = async (title: string, hours: number) => {
    const created = await h.api('POST', '/v1/offerings', coordInstitute, {
      title,
      providerId: institute,
      kind: 'teacher_training',
      subjects: ['maths'],
      grades: [10, 11],
      format: 'distance',
      capacity: 30,
      hours,
    });
    expect(created.status, created.text).to.equal(201);
    expect(created.body.audience).to.equal('teachers');
    expect((await h.api('POST', `/v1/offerings/${created.body.id}/publish`, coordInstitute)).status).to.equal(
      200,
    );
    return created.body.id as string;
  };

  /** The teacher asks for a seat, the school's coordinator approves, the institute accepts. */
  const enrol = async (offeringId: string, teacherId: string, token: string) => {
    const req = await h.api('POST', `/v1/offerings/${offeringId}/enrollments`, token, {
      studentId: teacherId,
    });
    expect(req.status, req.text).to.equal(201);
    expect((await h.api('POST', `/v1/enrollments/${req.body.id}/approve`, coordA)).status).to.equal(200);
    expect(
      (await h.api('POST', `/v1/enrollments/${req.body.id}/accept`, coordInstitute)).body.status,
    ).to.equal('enrolled');
    return req.body.id as string;
  };

  it("lists a teacher's training with status and result, and counts the completed hours", async () => {
    const teacherId = await h.person([{ role: 'teacher', organisationId: schoolA }], {
      birthDate: '1985-02-01',
      givenName: 'Ольга',
    });
    const teacher = h.tokenFor(teacherId, [grant('teacher', schoolA)]);
    const olympiad = await training('Методика подготовки к олимпиадам', 72);
    const physics = await training('Цифровая лаборатория по физике', 36);
    const astro = await training('Астрономия в школе', 18);
    const done = await enrol(olympiad, teacherId, teacher);
    const ongoing = await enrol(physics, teacherId, teacher);
    const failed = await enrol(astro, teacherId, teacher);
    const result = await h.api('POST', `/v1/enrollments/${done}/complete`, coordInstitute, {
      passed: true,
      hours: 70,
      certificateNumber: 'УПК-0042',
    });
    expect(result.body.status, result.text).to.equal('completed');
    expect(
      (await h.api('POST', `/v1/enrollments/${failed}/complete`, coordInstitute, { passed: false })).body
        .status,
    ).to.equal('failed');

    const record = await h.api('GET', `/v1/teachers/${teacherId}/training`, teacher);
    expect(record.status, record.text).to.equal(200);
    expect(record.body).to.include({ teacherId, completedHours: 70 });
    expect(record.body.teacher).to.deep.equal({ givenName: 'Ольга', familyName: 'Тестов', middleName: null });
    expect(record.body.items.map((i: Json) => [i.enrollmentId, i.title, i.status, i.hours])).to.deep.equal([
      [done, 'Методика подготовки к олимпиадам', 'completed', 72],
      [ongoing, 'Цифровая лаборатория по физике', 'enrolled', 36],
      [failed, 'Астрономия в школе', 'failed', 18],
    ]);
    expect(record.body.items[0].result).to.deep.equal({
      mark: null,
      hours: 70,
      passed: true,
      certificateNumber: 'УПК-0042',
    });
    expect(record.body.items[0].provider).to.deep.equal({
      name: 'Институт развития образования',
      shortName: null,
    });
    expect(record.body.items[1].result).to.equal(null);

    // A second completed course adds its hours (the offering's, when the result names none).
    expect(
      (await h.api('POST', `/v1/enrollments/${ongoing}/complete`, coordInstitute, { passed: true })).status,
    ).to.equal(200);
    expect((await h.api('GET', `/v1/teachers/${teacherId}/training`, coordA)).body.completedHours).to.equal(
      106,
    );
    expect((await h.api('GET', `/v1/teachers/${teacherId}/training`, admin)).body.completedHours).to.equal(
      106,
    );
  });

  it('is seen by the teacher, their coordinator and the district only', async () => {
    const teacherId = await h.person([{ role: 'teacher', organisationId: schoolA }], {
      birthDate: '1990-01-01',
    });
    const colleague = await h.person([{ role: 'teacher', organisationId: schoolA }], {
      birthDate: '1990-01-01',
    });
    const studentId = await h.person([{ role: 'student', organisationId: schoolA, grade: 10 }]);
    expect(
      (
        await h.api(
          'GET',
          `/v1/teachers/${teacherId}/training`,
          h.tokenFor(teacherId, [grant('teacher', schoolA)]),
        )
      ).body,
    ).to.deep.equal({
      teacherId,
      teacher: { givenName: 'Иван', familyName: 'Тестов', middleName: null },
      items: [],
      completedHours: 0,
    });
    const path = `/v1/teachers/${teacherId}/training`;
    const status = async (url: string, token?: string) => (await h.api('GET', url, token)).status;
    expect(await status(path, coordA)).to.equal(200);
    expect(await status(path, coordB)).to.equal(403);
    expect(await status(path, coordInstitute)).to.equal(403);
    expect(await status(path, h.tokenFor(colleague, [grant('teacher', schoolA)]))).to.equal(403);
    expect(await status(path, h.tokenFor(studentId, [grant('student', schoolA)]))).to.equal(403);
    expect(await status(`/v1/teachers/${studentId}/training`, admin)).to.equal(404);
    expect(await status('/v1/teachers/00000000-0000-7000-8000-00000000ffff/training', admin)).to.equal(404);
    expect(await status('/v1/teachers/nope/training', admin)).to.equal(404);
    expect(await status(path)).to.equal(401);
  });
});
