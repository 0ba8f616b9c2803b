import type { CloudEvent } from '@mathnet/contracts';
import { expect } from 'chai';
import { adminEmail, adminPassword, client, type RegistryHarness, startRegistry } from './registry-harness';

describe('consents to the processing of personal data (152-ФЗ)', function () {
  this.timeout(60_000);
  let h: RegistryHarness;
  let api: ReturnType<typeof client>;
  let admin: string;
  const tokens = {} as Record<'minor' | 'adult' | 'parent' | 'coordinator' | 'teacher' | 'outsider', string>;
  const ids = {} as Record<'minor' | 'adult' | 'parent' | 'coordinator', string>;

  const signIn = async (username: string, password: string) => {
    const res = await api.call('POST', '/auth/token', {
      body: { grant_type: 'password', username, password },
    });
    expect(res.status, res.text).to.equal(200);
    return res.body.access_token as string;
  };
  const register = async (body: Record<string, unknown>, email: string) => {
    const res = await api.call('POST', '/v1/people', {
      token: admin,
      body: { ...body, account: { email, password: 'password-of-test' } },
    });
    expect(res.status, res.text).to.equal(201);
    return { id: res.body.id as string, token: await signIn(email, 'password-of-test') };
  };
  const grant = (person: string, token: string, body: unknown) =>
    api.call('POST', `/v1/people/${person}/consents`, { token, body });

  before(async () => {
    h = await startRegistry('consents');
    api = client(h.url);
    admin = await signIn(adminEmail, adminPassword);
    const school = async (name: string) =>
      (await api.call('POST', '/v1/organisations', { token: admin, body: { name, kind: 'school' } })).body
        .id as string;
    const lyceum = await school('Лицей № 3');
    const other = await school('Школа № 12');
    const minor = await register(
      {
        givenName: 'Дарья',
        familyName: 'Орлова',
        birthDate: '2010-09-01',
        roles: [{ role: 'student', organisationId: lyceum, grade: 10 }],
      },
      'minor@consent.test',
    );
    const adult = await register(
      {
        givenName: 'Максим',
        familyName: 'Лебедев',
        birthDate: '2007-01-15',
        roles: [{ role: 'student', organisationId: lyceum, grade: 11 }],
      },
      'adult@consent.test',
    );
    const parent = await register(
      {
        givenName: 'Елена',
        familyName: 'Орлова',
        roles: [{ role: 'parent', organisationId: lyceum, studentId: minor.id }],
      },
      'parent@consent.test',
    );
    const coordinator = await register(
      {
        givenName: 'Ирина',
        familyName: 'Климова',
        roles: [{ role: 'school_admin', organisationId: lyceum }],
      },
      'coordinator@consent.test',
    );
    const teacher = await register(
      { givenName: 'Олег', familyName: 'Рябов', roles: [{ role: 'teacher', organisationId: lyceum }] },
      'teacher@consent.test',
    );
    const outsider = await register(
      { givenName: 'Павел', familyName: 'Зуев', roles: [{ role: 'school_admin', organisationId: other }] },
      'outsider@consent.test',
    );
    Object.assign(ids, { minor: minor.id, adult: adult.id, parent: parent.id, coordinator: coordinator.id });
    Object.assign(tokens, {
      minor: minor.token,
      adult: adult.token,
      parent: parent.token,
      coordinator: coordinator.token,
      teacher: teacher.token,
      outsider: outsider.token,
    });
  });
  after(async () => {
    await h?.close();
  });

  it("takes a minor's consent from a parent, not from the minor, a teacher or another school", async () => {
    const body = { purpose: 'sharing_with_providers' };
    expect((await grant(ids.minor, tokens.minor, body)).status, 'the minor alone').to.equal(403);
    expect((await grant(ids.minor, tokens.teacher, body)).status, 'a teacher').to.equal(403);
    expect((await grant(ids.minor, tokens.outsider, body)).status, 'another school').to.equal(403);

    const given = await grant(ids.minor, tokens.parent, body);
    expect(given.status, given.text).to.equal(201);
    expect(given.body).to.include({
      personId: ids.minor,
      purpose: 'sharing_with_providers',
      status: 'granted',
      grantedBy: ids.parent,
      evidence: null,
      withdrawnAt: null,
    });
    expect(given.headers.get('location')).to.equal(`/v1/people/${ids.minor}/consents/${given.body.id}`);
    const event = await h.events.waitFor(
      (e: CloudEvent) => e.type === 'mathnet.registry.consent.granted' && e.subject === ids.minor,
    );
    expect(event.data).to.deep.equal(given.body);

    const twice = await grant(ids.minor, tokens.parent, body);
    expect(twice.status, 'one granted consent per purpose').to.equal(409);
  });

  it('lets an adult consent for themself, and a coordinator record a paper form only with evidence', async () => {
    expect((await grant(ids.adult, tokens.adult, { purpose: 'publication' })).status).to.equal(201);
    const noEvidence = await grant(ids.minor, tokens.coordinator, { purpose: 'publication' });
    expect(noEvidence.status).to.equal(400);
    expect(noEvidence.body.errors[0].path).to.equal('evidence');
    const recorded = await grant(ids.minor, tokens.coordinator, {
      purpose: 'publication',
      evidence: 'Заявление № 17 от 01.09.2026, канцелярия лицея',
    });
    expect(recorded.status, recorded.text).to.equal(201);
    expect(recorded.body).to.include({
      grantedBy: ids.coordinator,
      evidence: 'Заявление № 17 от 01.09.2026, канцелярия лицея',
    });
    const unknown = await grant(ids.adult, tokens.adult, { purpose: 'everything', extra: true });
    expect(unknown.status).to.equal(400);
  });

  it('withdraws a consent, keeping it as history; only once', async () => {
    const list = await api.call('GET', `/v1/people/${ids.minor}/consents`, { token: tokens.parent });
    expect(list.status).to.equal(200);
    expect(list.body.items.map((c: { purpose: string }) => c.purpose)).to.deep.equal([
      'publication',
      'sharing_with_providers',
    ]);
    const sharing = list.body.items[1].id as string;
    const path = `/v1/people/${ids.minor}/consents/${sharing}/withdraw`;
    expect((await api.call('POST', path, { token: tokens.minor, body: {} })).status).to.equal(403);
    const withdrawn = await api.call('POST', path, { token: tokens.parent, body: {} });
    expect(withdrawn.status, withdrawn.text).to.equal(200);
    expect(withdrawn.body).to.include({ status: 'withdrawn', withdrawnBy: ids.parent });
    expect((await api.call('POST', path, { token: tokens.parent, body: {} })).status).to.equal(409);
    await h.events.waitFor(
      (e: CloudEvent) =>
        e.type === 'mathnet.registry.consent.withdrawn' && (e.data as { id: string }).id === sharing,
    );
    const after = await api.call('GET', `/v1/people/${ids.minor}/consents`, { token: tokens.coordinator });
    expect(after.body.items.map((c: { status: string }) => c.status)).to.deep.equal(['granted', 'withdrawn']);
    // Withdrawn, it may be given again.
    expect((await grant(ids.minor, tokens.parent, { purpose: 'sharing_with_providers' })).status).to.equal(
      201,
    );
  });

  it('shows consents to the person, a parent, their coordinator and the district only, and logs each look', async () => {
    const look = (token: string) => api.call('GET', `/v1/people/${ids.minor}/consents`, { token });
    for (const token of [tokens.minor, tokens.parent, tokens.coordinator, admin])
      expect((await look(token)).status).to.equal(200);
    expect((await look(tokens.teacher)).status).to.equal(403);
    expect((await look(tokens.outsider)).status).to.equal(403);
    expect(
      (await api.call('GET', '/v1/people/00000000-0000-7000-8000-0000000009ff/consents', { token: admin }))
        .status,
    ).to.equal(404);
    const log = await api.call('GET', `/v1/people/${ids.minor}/access-log?limit=200`, { token: admin });
    const actions = (log.body.items as { action: string; actorId: string }[]).map((e) => e.action);
    expect(actions.filter((a) => a === 'read').length, 'one read per look at the consents').to.be.at.least(4);
    expect(actions).to.include('update');
  });
});
