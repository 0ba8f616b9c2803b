import { expect } from 'chai';
import { adminEmail, adminPassword, client, type RegistryHarness, startRegistry } from './registry-harness';

describe("the audit log of access to people's personal data", function () {
  this.timeout(60_000);
  let h: RegistryHarness;
  let api: ReturnType<typeof client>;
  let admin: string;
  let coordinator: string;
  let coordinatorId: string;
  let student: string;
  let studentId: string;
  let outsider: string;

  const signIn = async (username: string, password: string) => {
    const res = await api.call('POST', '/auth/token', {
      body: { grant_type: 'password', username, password },
    });
    expect(res.status).to.equal(200);
    return res.body.access_token as string;
  };
  const register = async (body: unknown) => {
    const res = await api.call('POST', '/v1/people', { token: admin, body });
    expect(res.status).to.equal(201);
    return res.body.id as string;
  };

  before(async () => {
    h = await startRegistry('access-log');
    api = client(h.url);
    admin = await signIn(adminEmail, adminPassword);
    const school = (
      await api.call('POST', '/v1/organisations', {
        token: admin,
        body: { name: 'Лицей № 2', kind: 'school' },
      })
    ).body.id;
    const other = (
      await api.call('POST', '/v1/organisations', {
        token: admin,
        body: { name: 'Школа № 9', kind: 'school' },
      })
    ).body.id;
    studentId = await register({
      givenName: 'Пётр',
      familyName: 'Смирнов',
      birthDate: '2010-03-04',
      roles: [{ role: 'student', organisationId: school, grade: 10 }],
      account: { email: 'student@log.test', password: 'student-password' },
    });
    coordinatorId = await register({
      givenName: 'Ольга',
      familyName: 'Иванова',
      roles: [{ role: 'school_admin', organisationId: school }],
      account: { email: 'coordinator@log.test', password: 'coordinator-password' },
    });
    await register({
      givenName: 'Игорь',
      familyName: 'Кузнецов',
      roles: [{ role: 'school_admin', organisationId: other }],
      account: { email: 'outsider@log.test', password: 'outsider-password' },
    });
    student = await signIn('student@log.test', 'student-password');
    coordinator = await signIn('coordinator@log.test', 'coordinator-password');
    outsider = await signIn('outsider@log.test', 'outsider-password');
  });
  after(async () => {
    await h?.close();
  });

  const logOf = async (token: string, query = '') =>
    api.call('GET', `/v1/people/${studentId}/access-log${query}`, { token });

  it('records the create, each read and each list page that showed the record, with actor and request id', async () => {
    const read = await api.call('GET', `/v1/people/${studentId}`, {
      token: coordinator,
      headers: { 'x-request-id': 'req-coordinator-read' },
    });
    expect(read.status).to.equal(200);
    expect((await api.call('GET', `/v1/people?role=student`, { token: admin })).status).to.equal(200);
    // A page that does not show the student is not an access to their data.
    expect((await api.call('GET', `/v1/people?role=school_admin`, { token: admin })).status).to.equal(200);

    const log = await logOf(student);
    expect(log.status).to.equal(200);
    const entries = log.body.items.map((e: { actorId: string; action: string }) => [e.actorId, e.action]);
    const adminId = entries.at(-1)[0];
    expect(entries).to.deep.equal([
      [adminId, 'list'],
      [coordinatorId, 'read'],
      [adminId, 'create'],
    ]);
    expect(log.body.items[1].requestId).to.equal('req-coordinator-read');
    expect(log.body.items[1].actorKind).to.equal('person');
    expect(log.body.nextCursor).to.equal(null);
  });

  it('records an update, pages newest first, and does not log reading the log itself', async () => {
    const current = await api.call('GET', `/v1/people/${studentId}`, { token: coordinator });
    const patched = await api.call('PATCH', `/v1/people/${studentId}`, {
      token: coordinator,
      headers: { 'if-match': current.headers.get('etag')! },
      body: { middleName: 'Андреевич' },
    });
    expect(patched.status).to.equal(200);
    const all = (await logOf(coordinator, '?limit=200')).body.items;
    expect(all.slice(0, 2).map((e: { action: string }) => e.action)).to.deep.equal(['update', 'read']);
    expect((await logOf(coordinator, '?limit=200')).body.items).to.have.length(all.length);

    const first = await logOf(admin, '?limit=2');
    expect(first.body.items).to.have.length(2);
    const second = await logOf(admin, `?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0].id).to.equal(all[2].id);
  });

  it('answers 403 to staff of another school and to other people, 404 for an unknown person, 400 for a bad cursor', async () => {
    expect((await logOf(outsider)).status).to.equal(403);
    expect(
      (await api.call('GET', `/v1/people/${coordinatorId}/access-log`, { token: student })).status,
    ).to.equal(403);
    expect(
      (await api.call('GET', '/v1/people/0190f0e0-0000-7000-8000-000000000000/access-log', { token: admin }))
        .status,
    ).to.equal(404);
    const bad = await logOf(admin, '?cursor=nonsense');
    expect(bad.status).to.equal(400);
    expect(bad.headers.get('content-type')).to.match(/problem\+json/);
  });
});
