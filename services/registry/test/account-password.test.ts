import { expect } from 'chai';
import { adminEmail, adminPassword, client, type RegistryHarness, startRegistry } from './registry-harness';

describe('changing your own password', function () {
  this.timeout(60_000);
  let h: RegistryHarness;
  let api: ReturnType<typeof client>;
  const email = 'teacher.password@test.mathnet.local';
  const first = 'first-password-1';
  let schoolId: string;

  const signInAs = (username: string, password: string) =>
    api.call('POST', '/auth/token', { body: { grant_type: 'password', username, password } });
  const signIn = (password: string) => signInAs(email, password);

  before(async () => {
    h = await startRegistry('account-password');
    api = client(h.url);
    const admin = await api.call('POST', '/auth/token', {
      body: { grant_type: 'password', username: adminEmail, password: adminPassword },
    });
    const school = await api.call('POST', '/v1/organisations', {
      token: admin.body.access_token,
      body: { name: 'Школа № 5', kind: 'school' },
    });
    schoolId = school.body.id;
    const created = await api.call('POST', '/v1/people', {
      token: admin.body.access_token,
      body: {
        givenName: 'Анна',
        familyName: 'Петрова',
        roles: [{ role: 'teacher', organisationId: school.body.id }],
        account: { email, password: first },
      },
    });
    expect(created.status).to.equal(201);
  });
  after(async () => {
    await h?.close();
  });

  /** Registers a teacher of the school with a login account and signs them in (the token answer). */
  const teacherSignedIn = async (email: string, givenName: string, familyName: string) => {
    const admin = await signInAs(adminEmail, adminPassword);
    const created = await api.call('POST', '/v1/people', {
      token: admin.body.access_token,
      body: {
        givenName,
        familyName,
        roles: [{ role: 'teacher', organisationId: schoolId }],
        account: { email, password: first },
      },
    });
    expect(created.status, created.text).to.equal(201);
    return signInAs(email, first);
  };

  it('needs the current password, refuses a weak or unchanged one, and says which field is wrong', async () => {
    const session = await signIn(first);
    const token = session.body.access_token;
    const change = (body: unknown) => api.call('POST', '/v1/account/password', { token, body });

    const wrong = await change({ currentPassword: 'not-my-password', newPassword: 'second-password-2' });
    expect(wrong.status).to.equal(400);
    expect(wrong.headers.get('content-type')).to.match(/application\/problem\+json/);
    expect(wrong.body.errors).to.deep.equal([{ path: 'currentPassword', message: 'is wrong' }]);

    const short = await change({ currentPassword: first, newPassword: 'short' });
    expect(short.status).to.equal(400);
    expect(short.body.errors[0].path).to.equal('newPassword');

    const same = await change({ currentPassword: first, newPassword: first });
    expect(same.status).to.equal(400);
    expect(same.body.errors[0].path).to.equal('newPassword');

    expect((await api.call('POST', '/v1/account/password', { body: {} })).status).to.equal(401);
    // Nothing above changed the password.
    expect((await signIn(first)).status).to.equal(200);
  });

  it('changes it: the old password stops working, the new one works, old refresh tokens are revoked', async () => {
    const session = await signIn(first);
    const other = await signIn(first); // another device
    const res = await api.call('POST', '/v1/account/password', {
      token: session.body.access_token,
      body: { currentPassword: first, newPassword: 'second-password-2' },
    });
    expect(res.status).to.equal(204);

    const old = await signIn(first);
    expect(old.status).to.equal(400);
    expect(old.body.error).to.equal('invalid_grant');
    expect((await signIn('second-password-2')).status).to.equal(200);

    const refresh = await api.call('POST', '/auth/token', {
      body: { grant_type: 'refresh_token', refresh_token: other.body.refresh_token },
    });
    expect(refresh.status).to.equal(400);
    expect(refresh.body.error).to.equal('invalid_grant');
  });

  it('answers 429 with Retry-After after 5 wrong current passwords in 15 minutes, even to the right one', async () => {
    const guessed = 'guessed.password@test.mathnet.local';
    const session = await teacherSignedIn(guessed, 'Иван', 'Сидоров');
    const change = (currentPassword: string) =>
      api.call('POST', '/v1/account/password', {
        token: session.body.access_token,
        body: { currentPassword, newPassword: 'third-password-3' },
      });
    for (let i = 1; i <= 5; i++)
      expect((await change(`guess-number-${i}`)).status, `guess ${i}`).to.equal(400);
    const refused = await change(first);
    expect(refused.status).to.equal(429);
    expect(refused.headers.get('content-type')).to.match(/application\/problem\+json/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).to.be.within(1, 15 * 60);
    // The password did not change, and another account is not held up by this one's failures.
    expect((await signInAs(guessed, first)).status).to.equal(200);
    const own = await signIn('second-password-2');
    expect(
      (
        await api.call('POST', '/v1/account/password', {
          token: own.body.access_token,
          body: { currentPassword: 'wrong-once', newPassword: 'third-password-3' },
        })
      ).status,
    ).to.equal(400);
  });

  it('counts concurrent wrong passwords one after another: exactly 5 are checked, the rest get 429', async () => {
    const session = await teacherSignedIn('concurrent.guesses@test.mathnet.local', 'Пётр', 'Быстров');
    const guesses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        api.call('POST', '/v1/account/password', {
          token: session.body.access_token,
          body: { currentPassword: `parallel-guess-${i}`, newPassword: 'third-password-3' },
        }),
      ),
    );
    const statuses = guesses.map((g) => g.status).sort();
    expect(statuses).to.deep.equal([400, 400, 400, 400, 400, 429, 429, 429]);
  });
});
