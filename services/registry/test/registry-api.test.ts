import type { CloudEvent } from '@mathnet/contracts';
import { expect } from 'chai';
import { adminEmail, adminPassword, client, type RegistryHarness, startRegistry } from './registry-harness';

describe('registry API', function () {
  this.timeout(60_000);
  let h: RegistryHarness;
  let api: ReturnType<typeof client>;
  let admin: string;
  let schoolA: string;
  let schoolB: string;

  before(async () => {
    h = await startRegistry('registry-api');
    api = client(h.url);
    admin = await api.login(adminEmail, adminPassword);
    const a = await api.call('POST', '/v1/organisations', {
      token: admin,
      body: { name: 'Школа А', kind: 'school' },
    });
    const b = await api.call('POST', '/v1/organisations', {
      token: admin,
      body: { name: 'Школа Б', kind: 'school' },
    });
    schoolA = a.body.id;
    schoolB = b.body.id;
  });
  after(async () => {
    await h?.close();
  });

  const person = (orgId: string, role = 'student', extra: Record<string, unknown> = {}) => ({
    givenName: 'Иван',
    familyName: 'Петров',
    roles: [{ role, organisationId: orgId, ...(role === 'student' ? { grade: 10 } : {}) }],
    ...extra,
  });

  describe('organisations', () => {
    it('registers an organisation from the minimal body, lists it, and emits registered once', async () => {
      const res = await api.call('POST', '/v1/organisations', {
        token: admin,
        body: { name: 'Школа №1', kind: 'school' },
      });
      expect(res.status).to.equal(201);
      expect(res.body).to.include({
        name: 'Школа №1',
        kind: 'school',
        status: 'active',
        isHub: false,
        version: 1,
      });
      expect(res.headers.get('etag')).to.equal('W/"1"');
      expect(res.headers.get('location')).to.equal(`/v1/organisations/${res.body.id}`);
      const list = await api.call('GET', '/v1/organisations?limit=200', { token: admin });
      expect(list.status).to.equal(200);
      expect(list.body.items.map((o: { id: string }) => o.id)).to.include(res.body.id);
      const event = await h.events.waitFor(
        (e) => e.type === 'mathnet.registry.organisation.registered' && e.subject === res.body.id,
      );
      expect(event.data).to.include({ id: res.body.id, name: 'Школа №1', kind: 'school', version: 1 });
      expect(event.source).to.equal('/mathnet/registry');
      expect(h.events.events.filter((e: CloudEvent) => e.subject === res.body.id)).to.have.length(1);
    });

    it('answers 401 problem+json without a token', async () => {
      const res = await api.call('GET', '/v1/organisations');
      expect(res.status).to.equal(401);
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(res.body.status).to.equal(401);
    });

    it('rejects bad input with 4xx problem+json, never 5xx', async () => {
      const cases: [string, number][] = [
        ['{"name": "x", "kind": ', 400],
        [JSON.stringify({ name: 'x', kind: 'castle' }), 400],
        [JSON.stringify({ name: 42, kind: 'school' }), 400],
        [JSON.stringify({ kind: 'school' }), 400],
        [JSON.stringify({ name: 'x', kind: 'school', colour: 'red' }), 400],
        [JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), kind: 'school' }), 413],
      ];
      for (const [raw, status] of cases) {
        const res = await api.call('POST', '/v1/organisations', { token: admin, raw });
        expect(res.status, raw.slice(0, 40)).to.equal(status);
        expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
        expect(res.body.type).to.match(/^https:\/\/mathnet\.dev\/problems\//);
      }
      const unknownKind = await api.call('POST', '/v1/organisations', {
        token: admin,
        body: { name: 'x', kind: 'castle' },
      });
      expect(unknownKind.body.errors[0].path).to.equal('kind');
      const badId = await api.call('GET', '/v1/organisations/not-a-uuid', { token: admin });
      expect(badId.status).to.equal(404);
      const badCursor = await api.call('GET', '/v1/organisations?cursor=zzz', { token: admin });
      expect(badCursor.status).to.equal(400);
      const badLimit = await api.call('GET', '/v1/organisations?limit=-3', { token: admin });
      expect(badLimit.status).to.equal(400);
    });

    it('patches with If-Match, answers 412 on a stale ETag, emits updated', async () => {
      const created = await api.call('POST', '/v1/organisations', {
        token: admin,
        body: { name: 'Школа 7', kind: 'school' },
      });
      const id = created.body.id;
      const ok = await api.call('PATCH', `/v1/organisations/${id}`, {
        token: admin,
        body: { isHub: true, profiles: ['physics_maths'] },
        headers: { 'if-match': 'W/"1"' },
      });
      expect(ok.status).to.equal(200);
      expect(ok.body).to.include({ isHub: true, version: 2 });
      const stale = await api.call('PATCH', `/v1/organisations/${id}`, {
        token: admin,
        body: { name: 'Y' },
        headers: { 'if-match': 'W/"1"' },
      });
      expect(stale.status).to.equal(412);
      const event = await h.events.waitFor(
        (e) => e.type === 'mathnet.registry.organisation.updated' && e.subject === id,
      );
      expect(event.data).to.include({ isHub: true, version: 2 });
    });

    it('pages with cursors and filters by kind and text', async () => {
      for (const n of [1, 2, 3]) {
        await api.call('POST', '/v1/organisations', {
          token: admin,
          body: { name: `Университет ${n}`, kind: 'university' },
        });
      }
      const first = await api.call('GET', '/v1/organisations?kind=university&limit=2', { token: admin });
      expect(first.body.items).to.have.length(2);
      expect(first.body.nextCursor).to.be.a('string');
      const second = await api.call(
        'GET',
        `/v1/organisations?kind=university&limit=2&cursor=${first.body.nextCursor}`,
        { token: admin },
      );
      expect(second.body.items).to.have.length(1);
      expect(second.body.nextCursor).to.equal(null);
      const text = await api.call('GET', `/v1/organisations?q=${encodeURIComponent('университет 2')}`, {
        token: admin,
      });
      expect(text.body.items.map((o: { name: string }) => o.name)).to.deep.equal(['Университет 2']);
    });

    it('replays a create with the same Idempotency-Key instead of creating twice', async () => {
      const headers = { 'idempotency-key': 'create-centre-1' };
      const one = await api.call('POST', '/v1/organisations', {
        token: admin,
        body: { name: 'Центр', kind: 'gifted_centre' },
        headers,
      });
      const two = await api.call('POST', '/v1/organisations', {
        token: admin,
        body: { name: 'Центр', kind: 'gifted_centre' },
        headers,
      });
      expect(two.status).to.equal(201);
      expect(two.body.id).to.equal(one.body.id);
      const list = await api.call('GET', '/v1/organisations?kind=gifted_centre', { token: admin });
      expect(list.body.items).to.have.length(1);
    });

    it('creates once when requests with the same Idempotency-Key arrive at the same time (the others get 409 or the kept answer)', async () => {
      const headers = { 'idempotency-key': 'create-university-at-once' };
      const body = { name: 'Университет одновременно', kind: 'university' };
      const answers = await Promise.all(
        Array.from({ length: 6 }, () =>
          api.call('POST', '/v1/organisations', { token: admin, body, headers }),
        ),
      );
      const created = answers.filter((a) => a.status === 201);
      expect(created.length).to.be.greaterThan(0);
      expect(new Set(created.map((a) => a.body.id)).size).to.equal(1);
      for (const a of answers.filter((a) => a.status !== 201)) {
        expect(a.status).to.equal(409);
        expect(a.headers.get('content-type')).to.match(/problem\+json/);
      }
      const retry = await api.call('POST', '/v1/organisations', { token: admin, body, headers });
      expect(retry.status).to.equal(201);
      expect(retry.body.id).to.equal(created[0]!.body.id);
      const list = await api.call('GET', '/v1/organisations?kind=university', { token: admin });
      expect(list.body.items.filter((o: { name: string }) => o.name === body.name)).to.have.length(1);
    });
  });

  describe('people and access', () => {
    let coordinatorA: string;
    let studentId: string;
    let student: string;

    before(async () => {
      const coord = await api.call('POST', '/v1/people', {
        token: admin,
        body: person(schoolA, 'school_admin', {
          account: { email: 'coord.a@test.local', password: 'coord-password' },
        }),
      });
      expect(coord.status).to.equal(201);
      coordinatorA = await api.login('coord.a@test.local', 'coord-password');
      const s = await api.call('POST', '/v1/people', {
        token: coordinatorA,
        body: person(schoolA, 'student', {
          account: { email: 'Student.A@test.local', password: 'student-password' },
        }),
      });
      expect(s.status).to.equal(201);
      studentId = s.body.id;
      student = await api.login('student.a@test.local', 'student-password');
    });

    it('creates a person from the minimal body and emits person.registered without contacts', async () => {
      const res = await api.call('POST', '/v1/people', { token: admin, body: person(schoolB) });
      const withContacts = await api.call('POST', '/v1/people', {
        token: admin,
        body: person(schoolB, 'student', {
          contacts: { phone: '+7 900 000-00-00' },
          birthDate: '2010-03-01',
        }),
      });
      expect(withContacts.body.contacts).to.deep.equal({ phone: '+7 900 000-00-00' });
      const withContactsEvent = await h.events.waitFor((e) => e.subject === withContacts.body.id);
      expect(withContactsEvent.data).to.not.have.property('contacts');
      expect(withContactsEvent.data).to.include({ birthDate: '2010-03-01' });
      expect(res.status).to.equal(201);
      expect(res.body.roles).to.deep.equal([
        { role: 'student', organisationId: schoolB, grade: 10, classLetter: null, studentId: null },
      ]);
      expect(res.body.account).to.equal(null);
      const event = await h.events.waitFor(
        (e) => e.type === 'mathnet.registry.person.registered' && e.subject === res.body.id,
      );
      expect(event.data).to.not.have.property('contacts');
      expect(event.data).to.not.have.property('account');
    });

    it('forbids a coordinator of school A to create a person in school B (403)', async () => {
      const res = await api.call('POST', '/v1/people', { token: coordinatorA, body: person(schoolB) });
      expect(res.status).to.equal(403);
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    });

    it('forbids a coordinator to make a network admin', async () => {
      const res = await api.call('POST', '/v1/people', {
        token: coordinatorA,
        body: person(schoolA, 'network_admin'),
      });
      expect(res.status).to.equal(403);
    });

    it('lets a student read their own record only', async () => {
      expect((await api.call('GET', `/v1/people/${studentId}`, { token: student })).status).to.equal(200);
      const other = await api.call('POST', '/v1/people', { token: admin, body: person(schoolA) });
      expect((await api.call('GET', `/v1/people/${other.body.id}`, { token: student })).status).to.equal(403);
      const list = await api.call('GET', '/v1/people', { token: student });
      expect(list.body.items.map((p: { id: string }) => p.id)).to.deep.equal([studentId]);
      expect(
        (await api.call('PATCH', `/v1/people/${other.body.id}`, { token: student, body: { givenName: 'X' } }))
          .status,
      ).to.equal(403);
    });

    it('lets a parent read their child', async () => {
      await api.call('POST', '/v1/people', {
        token: coordinatorA,
        body: {
          givenName: 'Ольга',
          familyName: 'Петрова',
          roles: [{ role: 'parent', organisationId: schoolA, studentId }],
          account: { email: 'parent.a@test.local', password: 'parent-password' },
        },
      });
      const parent = await api.login('parent.a@test.local', 'parent-password');
      expect((await api.call('GET', `/v1/people/${studentId}`, { token: parent })).status).to.equal(200);
    });

    it('scopes a coordinator to their own school', async () => {
      const inB = await api.call('POST', '/v1/people', { token: admin, body: person(schoolB, 'teacher') });
      expect((await api.call('GET', `/v1/people/${inB.body.id}`, { token: coordinatorA })).status).to.equal(
        403,
      );
      expect(
        (
          await api.call('PATCH', `/v1/people/${inB.body.id}`, {
            token: coordinatorA,
            body: { givenName: 'Z' },
          })
        ).status,
      ).to.equal(403);
      expect(
        (await api.call('GET', `/v1/people?organisationId=${schoolB}`, { token: coordinatorA })).status,
      ).to.equal(403);
      const mine = await api.call('GET', `/v1/people?organisationId=${schoolA}&role=student`, {
        token: coordinatorA,
      });
      expect(mine.status).to.equal(200);
      expect(mine.body.items.length).to.be.greaterThan(0);
      for (const p of mine.body.items) {
        expect(
          p.roles.some(
            (r: { role: string; organisationId: string }) =>
              r.role === 'student' && r.organisationId === schoolA,
          ),
        ).to.equal(true);
      }
    });

    it('validates roles: unknown organisation, parent without a student, duplicate e-mail', async () => {
      const unknownOrg = await api.call('POST', '/v1/people', {
        token: admin,
        body: person('01890000-0000-7000-8000-000000000000'),
      });
      expect(unknownOrg.status).to.equal(400);
      const parent = await api.call('POST', '/v1/people', {
        token: admin,
        body: { givenName: 'A', familyName: 'B', roles: [{ role: 'parent', organisationId: schoolA }] },
      });
      expect(parent.status).to.equal(400);
      const dup = await api.call('POST', '/v1/people', {
        token: admin,
        body: person(schoolA, 'teacher', {
          account: { email: 'coord.a@test.local', password: 'another-pass' },
        }),
      });
      expect(dup.status).to.equal(409);
    });

    it('patches roles and emits person.updated with the new version', async () => {
      const res = await api.call('PATCH', `/v1/people/${studentId}`, {
        token: coordinatorA,
        body: { roles: [{ role: 'student', organisationId: schoolA, grade: 11, classLetter: 'Б' }] },
      });
      expect(res.status).to.equal(200);
      expect(res.body.version).to.equal(2);
      const event = await h.events.waitFor(
        (e) => e.type === 'mathnet.registry.person.updated' && e.subject === studentId,
      );
      expect(event.data).to.deep.include({ version: 2 });
    });

    it('searches people by name', async () => {
      await api.call('POST', '/v1/people', {
        token: admin,
        body: { ...person(schoolB), givenName: 'Евдокия', familyName: 'Щукина' },
      });
      const res = await api.call('GET', `/v1/people?q=${encodeURIComponent('щукина')}`, { token: admin });
      expect(res.body.items.map((p: { familyName: string }) => p.familyName)).to.deep.equal(['Щукина']);
    });
  });
});

describe('registry republish (rebuild read models)', function () {
  this.timeout(60_000);
  let h: RegistryHarness;
  before(async () => {
    h = await startRegistry('registry-republish');
  });
  after(async () => {
    await h?.close();
  });

  it('re-emits every organisation and person as updated, for the network admin only', async () => {
    const api = client(h.url);
    const admin = await api.login(adminEmail, adminPassword);
    const school = await api.call('POST', '/v1/organisations', {
      token: admin,
      body: { name: 'Школа R', kind: 'school' },
    });
    const res = await api.call('POST', '/v1/admin/republish', { token: admin });
    expect(res.status).to.equal(202);
    expect(res.body).to.deep.equal({ organisations: 2, people: 1 });
    const event = await h.events.waitFor(
      (e) => e.type === 'mathnet.registry.organisation.updated' && e.subject === school.body.id,
    );
    expect(event.data).to.include({ name: 'Школа R', version: 1 });
    await api.call('POST', '/v1/people', {
      token: admin,
      body: {
        givenName: 'К',
        familyName: 'К',
        roles: [{ role: 'school_admin', organisationId: school.body.id }],
        account: { email: 'k@r.test', password: 'password-k' },
      },
    });
    const coordinator = await api.login('k@r.test', 'password-k');
    expect((await api.call('POST', '/v1/admin/republish', { token: coordinator })).status).to.equal(403);
  });
});
