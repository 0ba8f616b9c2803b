import {
  AuthFailedError,
  ConnectorError,
  type LmsSession,
  LmsUnavailableError,
  RateLimitedError,
  type User,
} from '@mathnet/lms-sdk';
import { expect } from 'chai';
import { createOneRosterSession } from '../src/index';
import {
  buildOneRosterZip,
  createOneRosterDouble,
  generateDistrict,
  imsxError,
  type OneRosterRestDouble,
} from '../test-double/index';
import { bytes, collect, counts, rejectionOf } from './helpers';

const district = generateDistrict({
  students: 12,
  teachers: 3,
  classes: 3,
  enrollments: 20,
  sessions: 3,
  courses: 2,
  seed: 3,
});

describe('OneRoster REST consumer', () => {
  let double: OneRosterRestDouble;
  let url: string;
  let close: () => Promise<void>;
  const signal = () => new AbortController().signal;

  beforeEach(async () => {
    double = createOneRosterDouble({ district });
    ({ url, close } = await double.start());
  });
  afterEach(() => close());

  /** A session on the double; `fetchFn` may wrap the real fetch. */
  function session(options: { fetchFn?: typeof fetch; secret?: string; pageSize?: number } = {}): LmsSession {
    return createOneRosterSession(
      {
        settings: { baseUrl: url, ...(options.pageSize ? { pageSize: options.pageSize } : {}) },
        secrets: { clientId: double.clientId, clientSecret: options.secret ?? double.clientSecret },
        fetch: options.fetchFn,
      },
      { retry: { baseDelayMs: 5 } },
    );
  }
  const apiCalls = () => double.state.calls.filter((c) => c.path.startsWith('/ims/'));

  it('test() fetches a token and reads one org', async () => {
    const about = await session().test(signal());
    expect(about).to.deep.equal({
      mode: 'rest',
      baseUrl: url,
      orgs: 2,
      firstOrg: 'Управление образования, г. Новосибирск',
    });
    expect(apiCalls()).to.deep.equal([
      { method: 'GET', path: '/ims/oneroster/rostering/v1p2/orgs', query: { limit: '1', offset: '0' } },
    ]);
  });

  it('pulls everything in bulk pages, paging with limit/offset up to X-Total-Count', async () => {
    const s = session();
    const roster = await collect(s.pullRoster?.({ signal: signal(), pageSize: 5 }));
    const grades = await collect(s.pullGrades?.({ signal: signal(), pageSize: 5 }));
    expect(roster.rejected).to.deep.equal([]);
    expect({ ...counts(roster), ...counts(grades) }).to.deep.equal(district.counts);
    expect(new Set(roster.pages.map((p) => p.mode))).to.deep.equal(new Set(['bulk']));
    const enrollmentOffsets = apiCalls()
      .filter((c) => c.path.endsWith('/enrollments'))
      .map((c) => [c.query.limit, c.query.offset]);
    // 20 enrollments, 5 a page: X-Total-Count says when to stop, no empty request after.
    expect(enrollmentOffsets).to.deep.equal([
      ['5', '0'],
      ['5', '5'],
      ['5', '10'],
      ['5', '15'],
    ]);
    expect(double.state.tokensIssued).to.equal(1);
    // Everything but the birth date (demographics are not read over REST) arrives as generated.
    const { birthDate, ...generated } = JSON.parse(JSON.stringify([...district.records('users')][0]));
    expect(birthDate).to.be.a('string');
    expect((roster.records.users as User[])[0]).to.deep.equal(generated);
  });

  it('follows a service that caps limit (offset moves by what arrived)', async () => {
    await close();
    double = createOneRosterDouble({ district, maxLimit: 4 });
    ({ url, close } = await double.start());
    const pulled = await collect(session().pullGrades?.({ signal: signal(), pageSize: 10 }));
    expect(counts(pulled)).to.deep.equal({ lineItems: 3, results: district.counts.results });
    expect(pulled.pages.filter((p) => p.entity === 'results').map((p) => p.records.length)).to.deep.equal([
      4, 4, 4, 4, 1,
    ]);
  });

  it('with since, asks for dateLastModified>since and yields delta pages, deletions included', async () => {
    const later = '2026-03-01T12:00:00.000Z';
    const [first, second] = double.data.users as User[];
    double.data.users[0] = { ...(first as User), status: 'tobedeleted', dateLastModified: later };
    double.data.users[1] = { ...(second as User), familyName: 'Новая-Фамилия', dateLastModified: later };
    const pulled = await collect(
      session().pullRoster?.({ signal: signal(), since: '2026-02-01T00:00:00.000Z' }),
    );
    expect(pulled.pages.map((p) => [p.entity, p.mode, p.records.length])).to.deep.equal([
      ['orgs', 'delta', 0],
      ['academicSessions', 'delta', 0],
      ['courses', 'delta', 0],
      ['classes', 'delta', 0],
      ['users', 'delta', 2],
      ['enrollments', 'delta', 0],
    ]);
    expect((pulled.records.users as User[]).map((u) => [u.sourcedId, u.status, u.familyName])).to.deep.equal([
      ['stu-01', 'tobedeleted', first?.familyName],
      ['stu-02', 'active', 'Новая-Фамилия'],
    ]);
    expect(apiCalls()[0]?.query.filter).to.equal("dateLastModified>'2026-02-01T00:00:00.000Z'");
    // A bulk pull leaves the deleted user out.
    const bulk = await collect(session().pullRoster?.({ signal: signal() }));
    expect(bulk.records.users?.map((u) => u.sourcedId)).not.to.include('stu-01');
    expect(bulk.records.users).to.have.length(district.counts.users - 1);
  });

  it('caches the token until it expires; a revoked token is renewed once', async () => {
    const s = session();
    await s.test(signal());
    await collect(s.pullCourses?.({ signal: signal() }));
    expect(double.state.tokensIssued).to.equal(1);
    double.revokeTokens();
    await collect(s.pullGrades?.({ signal: signal() }));
    expect(double.state.tokensIssued).to.equal(2);
  });

  it('a 401 with a fresh token is AuthFailedError', async () => {
    const refusing: typeof fetch = async (input, init) =>
      String(input).includes('/ims/')
        ? new Response(JSON.stringify(imsxError('unauthorisedrequest', 'no')), { status: 401 })
        : fetch(input, init);
    const error = await rejectionOf(session({ fetchFn: refusing }).test(signal()));
    expect(error).to.be.instanceOf(AuthFailedError);
    expect(error.message).to.contain('refused a fresh token');
    expect(double.state.tokensIssued).to.equal(2);
  });

  it('wrong client credentials are AuthFailedError, without the secret in the message', async () => {
    const error = await rejectionOf(session({ secret: 'wrong-secret-123' }).test(signal()));
    expect(error).to.be.instanceOf(AuthFailedError);
    expect(error.message).to.contain('invalid_client');
    expect(error.message).not.to.contain('wrong-secret-123');
  });

  it('waits out a short Retry-After and carries on', async () => {
    double.state.mode = 'rate-limited';
    double.state.retryAfterSeconds = 0;
    double.state.rateLimitedCalls = 2;
    const pulled = await collect(session().pullGrades?.({ signal: signal() }));
    expect(counts(pulled)).to.deep.equal({ lineItems: 3, results: district.counts.results });
    expect(double.state.calls.slice(0, 3).map((c) => c.path)).to.deep.equal(['/token', '/token', '/token']);
  });

  it('hands a long Retry-After to the bridge as RateLimitedError', async () => {
    double.state.mode = 'rate-limited';
    double.state.retryAfterSeconds = 120;
    const error = await rejectionOf(session().test(signal()));
    expect(error).to.be.instanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).to.equal(120_000);
    expect(double.state.calls).to.have.length(1);
  });

  it('a service that is down is LmsUnavailableError after a few tries', async () => {
    double.state.mode = 'down';
    const error = await rejectionOf(collect(session().pullRoster?.({ signal: signal() })));
    expect(error).to.be.instanceOf(LmsUnavailableError);
    expect(double.state.calls).to.have.length(3);
    await close();
    const unreachable = await rejectionOf(session().test(signal()));
    expect(unreachable).to.be.instanceOf(LmsUnavailableError);
    ({ close } = await double.start());
  });

  it('passes the pull signal to every fetch', async () => {
    const seen: (AbortSignal | null | undefined)[] = [];
    const spying: typeof fetch = (input, init) => {
      seen.push(init?.signal);
      return fetch(input, init);
    };
    const controller = new AbortController();
    await collect(session({ fetchFn: spying }).pullCourses?.({ signal: controller.signal, pageSize: 2 }));
    expect(seen.length).to.be.greaterThan(3);
    for (const s of seen) expect(s).to.equal(controller.signal);
  });

  it('rejects records it cannot use and keeps the rest (unknown roles, missing names)', async () => {
    const base = (double.data.users as User[])[0] as User;
    double.data.users = [
      {
        ...base,
        sourcedId: 'u-ok',
        roles: [{ roleType: 'primary', role: 'teacher', orgSourcedId: 'org-school-01' }],
      },
      { ...base, sourcedId: 'u-no-name', givenName: '' },
    ];
    const counselor = (record: Record<string, unknown>) => ({
      ...record,
      roles: [{ roleType: 'primary', role: 'counselor', org: { sourcedId: 'org-school-01' } }],
    });
    const rewriting: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).includes('/users?')) return response;
      const body = (await response.json()) as { users: Record<string, unknown>[] };
      body.users.push(counselor({ ...(body.users[0] as Record<string, unknown>), sourcedId: 'u-counselor' }));
      return new Response(JSON.stringify(body), { status: 200, headers: { 'x-total-count': '3' } });
    };
    const pulled = await collect(session({ fetchFn: rewriting }).pullRoster?.({ signal: signal() }));
    expect(pulled.records.users?.map((u) => u.sourcedId)).to.deep.equal(['u-ok']);
    expect(pulled.rejected.map((r) => [r.entity, r.sourcedId, r.reason])).to.deep.equal([
      [
        'users',
        'u-counselor',
        'no usable role: role "counselor" is not supported by the network (no equivalent role)',
      ],
      ['users', 'u-no-name', 'givenName: Invalid input: expected string, received undefined'],
    ]);
  });
});

describe('OneRoster connection modes', () => {
  const signal = new AbortController().signal;
  const connect = (settings: Record<string, unknown>, secrets: Record<string, unknown>) =>
    createOneRosterSession({ settings, secrets });

  it('without baseUrl: CSV imports only; test() says so; a pull without source is unsupported', async () => {
    const s = connect({}, {});
    expect(await s.test(signal)).to.deep.include({ mode: 'csv' });
    const error = await rejectionOf(collect(s.pullRoster?.({ signal })));
    expect(error).to.be.instanceOf(ConnectorError);
    expect((error as ConnectorError).code).to.equal('unsupported');
  });

  it('baseUrl without client credentials: AuthFailedError naming what is missing, CSV imports still work', async () => {
    const s = connect({ baseUrl: 'https://sis.example.org' }, { clientId: 'abc' });
    const error = await rejectionOf(s.test(signal));
    expect(error).to.be.instanceOf(AuthFailedError);
    expect(error.message).to.contain('clientSecret missing');
    expect((await rejectionOf(collect(s.pullGrades?.({ signal })))).message).to.contain(
      'clientSecret missing',
    );
    const zip = await buildOneRosterZip({
      files: { 'orgs.csv': 'sourcedId,status,dateLastModified,name,type\no,,,Школа,school\n' },
    });
    const pulled = await collect(s.pullRoster?.({ signal, source: bytes(zip) }));
    expect(counts(pulled)).to.deep.equal({ orgs: 1 });
  });

  it('credentials without baseUrl are a mistake, said clearly', async () => {
    const error = await rejectionOf(connect({}, { clientId: 'abc', clientSecret: 'def' }).test(signal));
    expect(error).to.be.instanceOf(AuthFailedError);
    expect(error.message).to.contain('baseUrl is not');
  });
});
