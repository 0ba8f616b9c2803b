import type { RoleGrant } from '@mathnet/auth';
import { expect } from 'chai';
import { type CoursesHarness, startCourses } from './courses-harness';

type Entry = {
  id: string;
  at: string;
  actorId: string;
  actorKind: string;
  action: string;
  requestId: string | null;
};

describe('access log of personal data in courses', function () {
  this.timeout(120_000);
  let h: CoursesHarness;
  let home: string;
  let provider: string;
  let other: string;
  let offeringId: string;
  let studentId: string;
  let enrollmentId: string;
  const ids = {
    admin: '00000000-0000-7000-8000-000000000101',
    coordHome: '00000000-0000-7000-8000-000000000102',
    coordProvider: '00000000-0000-7000-8000-000000000103',
    coordOther: '00000000-0000-7000-8000-000000000104',
    parent: '00000000-0000-7000-8000-000000000105',
  };
  const tokens = {} as Record<
    'admin' | 'coordHome' | 'coordProvider' | 'coordOther' | 'parent' | 'student',
    string
  >;
  const grant = (role: RoleGrant['role'], organisationId: string, studentId?: string): RoleGrant => ({
    role,
    organisationId,
    ...(studentId ? { studentId } : {}),
  });
  const log = async (token: string, personId = studentId, query = '') =>
    h.api('GET', `/v1/people/${personId}/access-log${query}`, token);

  before(async () => {
    h = await startCourses('access-log');
    const authority = await h.organisation('authority');
    home = await h.organisation('school', 'Школа № 7');
    provider = await h.organisation('school', 'Лицей № 2');
    other = await h.organisation('school', 'Школа № 9');
    studentId = await h.person([{ role: 'student', organisationId: home, grade: 10 }], {
      birthDate: '2009-05-01',
    });
    tokens.admin = h.tokenFor(ids.admin, [grant('network_admin', authority)]);
    tokens.coordHome = h.tokenFor(ids.coordHome, [grant('school_admin', home)]);
    tokens.coordProvider = h.tokenFor(ids.coordProvider, [grant('school_admin', provider)]);
    tokens.coordOther = h.tokenFor(ids.coordOther, [grant('school_admin', other)]);
    tokens.parent = h.tokenFor(ids.parent, [grant('parent', home, studentId)]);
    tokens.student = h.tokenFor(studentId, [grant('student', home)]);
    const created = await h.api('POST', '/v1/offerings', tokens.coordProvider, {
      title: 'Теория чисел',
      providerId: provider,
      kind: 'elective',
      subjects: ['maths'],
      grades: [10, 11],
      format: 'in_person',
      capacity: 20,
    });
    expect(created.status, created.text).to.equal(201);
    offeringId = created.body.id;
    expect(
      (await h.api('POST', `/v1/offerings/${offeringId}/publish`, tokens.coordProvider)).status,
    ).to.equal(200);
  });
  after(async () => {
    await h?.close();
  });

  it('records who created, read, listed and changed a learner’s enrollment, newest first', async () => {
    const requested = await h.api('POST', `/v1/offerings/${offeringId}/enrollments`, tokens.student, {
      studentId,
    });
    expect(requested.status, requested.text).to.equal(201);
    enrollmentId = requested.body.id;
    expect((await h.api('GET', `/v1/enrollments/${enrollmentId}`, tokens.coordProvider)).status).to.equal(
      200,
    );
    expect((await h.api('GET', `/v1/enrollments?studentId=${studentId}`, tokens.coordHome)).status).to.equal(
      200,
    );
    expect((await h.api('POST', `/v1/enrollments/${enrollmentId}/consent`, tokens.parent)).status).to.equal(
      200,
    );

    const answer = await log(tokens.student);
    expect(answer.status, answer.text).to.equal(200);
    const entries = answer.body.items as Entry[];
    expect(entries.map((e) => [e.action, e.actorId])).to.deep.equal([
      ['update', ids.parent],
      ['list', ids.coordHome],
      ['read', ids.coordProvider],
      ['create', studentId],
    ]);
    expect(entries.every((e) => e.actorKind === 'person' && typeof e.requestId === 'string')).to.equal(true);
  });

  it('records an export of the route and a list that shows the learner', async () => {
    const route = await h.api('POST', '/v1/routes', tokens.coordHome, {
      studentId,
      academicYear: '2026/2027',
    });
    expect(route.status, route.text).to.equal(201);
    expect(
      (await h.api('GET', `/v1/routes/${route.body.id}/export?format=csv`, tokens.parent)).status,
    ).to.equal(200);
    const [newest, before] = (await log(tokens.coordHome, studentId, '?limit=2')).body.items as Entry[];
    expect([newest?.action, newest?.actorId]).to.deep.equal(['export', ids.parent]);
    expect([before?.action, before?.actorId]).to.deep.equal(['create', ids.coordHome]);
  });

  it('pages with nextCursor, and lets only the person, a parent, their coordinator and the district read it', async () => {
    const first = await log(tokens.admin, studentId, '?limit=3');
    expect(first.status).to.equal(200);
    expect(first.body.items).to.have.length(3);
    const second = await log(tokens.admin, studentId, `?limit=3&cursor=${first.body.nextCursor}`);
    const all = (await log(tokens.admin, studentId, '?limit=200')).body.items as Entry[];
    expect([...first.body.items, ...second.body.items].map((e: Entry) => e.id)).to.deep.equal(
      all.slice(0, first.body.items.length + second.body.items.length).map((e) => e.id),
    );
    expect((await log(tokens.parent)).status).to.equal(200);
    expect((await log(tokens.coordOther)).status, 'a coordinator of another school').to.equal(403);
    expect((await log(tokens.coordProvider)).status, 'the provider sees enrollments, not the log').to.equal(
      403,
    );
    expect((await log(tokens.admin, '00000000-0000-7000-8000-0000000009ff')).status).to.equal(404);
    expect((await log(tokens.admin, studentId, '?cursor=bm90LWFuLWlk')).status).to.equal(400);
    // Reading the log is not itself logged.
    expect(((await log(tokens.admin, studentId, '?limit=200')).body.items as Entry[]).length).to.equal(
      all.length,
    );
  });
});
