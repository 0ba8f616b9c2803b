import { expect } from 'chai';
import { createOneRosterDouble, generateDistrict, parseFilter } from '../test-double/index';

describe('OneRoster REST double', () => {
  const district = generateDistrict({
    students: 5,
    teachers: 1,
    classes: 1,
    enrollments: 6,
    sessions: 1,
    courses: 1,
    seed: 1,
  });
  let url: string;
  let close: () => Promise<void>;
  const double = createOneRosterDouble({ district });
  before(async () => {
    ({ url, close } = await double.start());
  });
  after(() => close());

  const token = async (body: Record<string, string>, basic?: string) => {
    const response = await fetch(`${url}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(basic ? { authorization: `Basic ${Buffer.from(basic).toString('base64')}` } : {}),
      },
      body: new URLSearchParams(body).toString(),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('issues tokens for client credentials (HTTP Basic or form fields) and refuses others', async () => {
    const basic = await token(
      { grant_type: 'client_credentials' },
      `${double.clientId}:${double.clientSecret}`,
    );
    expect(basic.status).to.equal(200);
    expect(basic.body).to.include({ token_type: 'bearer', expires_in: 3600 });
    const form = await token({
      grant_type: 'client_credentials',
      client_id: double.clientId,
      client_secret: double.clientSecret,
    });
    expect(form.status).to.equal(200);
    expect((await token({ grant_type: 'client_credentials' }, `${double.clientId}:nope`)).body).to.deep.equal(
      {
        error: 'invalid_client',
      },
    );
    expect((await token({ grant_type: 'password' })).status).to.equal(400);
  });

  it('answers 401 with imsx_StatusInfo without a valid Bearer token', async () => {
    const response = await fetch(`${url}/ims/oneroster/rostering/v1p2/users`);
    expect(response.status).to.equal(401);
    expect(await response.json()).to.deep.equal({
      imsx_codeMajor: 'failure',
      imsx_severity: 'error',
      imsx_description: 'No access token',
      imsx_CodeMinor: {
        imsx_codeMinorField: [
          { imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: 'unauthorisedrequest' },
        ],
      },
    });
  });

  it('pages with limit/offset, X-Total-Count and Link, filters, and reads one record', async () => {
    const { body } = await token(
      { grant_type: 'client_credentials' },
      `${double.clientId}:${double.clientSecret}`,
    );
    const get = (path: string) =>
      fetch(`${url}${path}`, { headers: { authorization: `Bearer ${body.access_token}` } });
    const page = await get('/ims/oneroster/rostering/v1p2/users?limit=2&offset=2');
    expect(page.headers.get('x-total-count')).to.equal('6');
    expect(page.headers.get('link')).to.contain('rel="next"');
    const users = ((await page.json()) as { users: { sourcedId: string; enabledUser: string }[] }).users;
    expect(users.map((u) => u.sourcedId)).to.deep.equal(['stu-03', 'stu-04']);
    expect(users[0]?.enabledUser).to.equal('true');
    const teachers = await get(
      `/ims/oneroster/rostering/v1p2/enrollments?filter=${encodeURIComponent("role='teacher'")}`,
    );
    expect(((await teachers.json()) as { enrollments: unknown[] }).enrollments).to.have.length(1);
    const one = await get('/ims/oneroster/rostering/v1p2/classes/cls-01');
    expect(((await one.json()) as { class: { school: unknown } }).class.school).to.deep.equal({
      href: '/ims/oneroster/rostering/v1p2/orgs/org-school-01',
      sourcedId: 'org-school-01',
      type: 'org',
    });
    expect((await get('/ims/oneroster/rostering/v1p2/classes/nope')).status).to.equal(404);
    expect(
      (await get(`/ims/oneroster/rostering/v1p2/users?filter=${encodeURIComponent('role teacher')}`)).status,
    ).to.equal(400);
  });

  it('reads the binding filter syntax', () => {
    const f = parseFilter("dateLastModified>'2026-01-01T00:00:00Z' AND status='active'");
    if (typeof f === 'string') throw new Error(f);
    expect(f({ dateLastModified: '2026-02-01T00:00:00.000Z', status: 'active' })).to.equal(true);
    expect(f({ dateLastModified: '2025-12-31T23:00:00.000Z', status: 'active' })).to.equal(false);
    const or = parseFilter("role='student' OR role='teacher'");
    if (typeof or === 'string') throw new Error(or);
    expect(or({ role: 'teacher' })).to.equal(true);
    expect(parseFilter("a='1' AND b='2' OR c='3'")).to.be.a('string');
  });
});
