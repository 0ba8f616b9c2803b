import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { type StartedProcess, spawnStandalone, stop, waitReady } from './standalone-process';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
type Json = any;

describe('standalone mode (npm start)', function () {
  this.timeout(180_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'mathnet-standalone-'));
  let port: number;
  let url: string;
  let proc: StartedProcess | undefined;
  const env = () => ({
    PORT: String(port),
    MATHNET_DATA_DIR: dataDir,
    MATHNET_ADMIN_PASSWORD: 'admin-pass-123',
  });

  const call = async (method: string, path: string, token?: string, body?: unknown, raw?: string) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${url}${path}`, {
      method,
      headers,
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    let json: Json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: json };
  };
  const login = async (username: string, password: string) => {
    const res = await call('POST', '/api/auth/token', undefined, {
      grant_type: 'password',
      username,
      password,
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.access_token as string;
  };

  before(async () => {
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    proc = spawnStandalone(env());
    await waitReady(url, proc, 120_000);
  });
  after(async () => {
    if (proc) await stop(proc);
    rmSync(dataDir, { recursive: true, force: true });
  });

  let schoolId: string;

  it('serves /health/ready, issues the admin a token, creates and lists an organisation', async () => {
    const ready = await call('GET', '/health/ready');
    expect(ready.status).to.equal(200);
    const admin = await login('admin@mathnet.local', 'admin-pass-123');
    const created = await call('POST', '/api/registry/v1/organisations', admin, {
      name: 'Школа №1',
      kind: 'school',
    });
    expect(created.status).to.equal(201);
    schoolId = created.body.id;
    const list = await call('GET', '/api/registry/v1/organisations?limit=200', admin);
    expect(list.body.items.map((o: Json) => o.name)).to.include('Школа №1');
  });

  it('loads the demo district into the empty data directory', async () => {
    const admin = await login('admin@mathnet.local', 'admin-pass-123');
    const orgs = (await call('GET', '/api/registry/v1/organisations?limit=200', admin)).body.items as Json[];
    const demoSchools = orgs.filter((o) => o.kind === 'school' && o.name !== 'Школа №1');
    expect(demoSchools.length).to.be.at.least(6);
    expect(demoSchools.filter((o) => o.isHub)).to.have.length(2);
    expect(orgs.filter((o) => o.kind === 'gifted_centre')).to.have.length(1);
    expect(orgs.filter((o) => o.kind === 'university')).to.have.length(1);
    expect(orgs.filter((o) => o.kind === 'authority')).to.have.length(1);
    let students = 0;
    let cursor: string | null = null;
    do {
      const page: Json = await call(
        'GET',
        `/api/registry/v1/people?role=student&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
        admin,
      );
      students += page.body.items.length;
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(students).to.be.at.least(100);
    const teachers = await call('GET', '/api/registry/v1/people?role=teacher&limit=200', admin);
    expect(teachers.body.items.length).to.be.at.least(10);
    expect(teachers.body.items[0].familyName).to.match(/^[А-ЯЁ][а-яё]+$/);
    await login('coordinator.lyceum1@demo.mathnet.local', 'demo-password');
  });

  it('loads demo courses: 20+ offerings across providers and enrollments in every state', async () => {
    const admin = await login('admin@mathnet.local', 'admin-pass-123');
    const offerings = (await call('GET', '/api/courses/v1/offerings?limit=200', admin)).body.items as Json[];
    expect(offerings.length).to.be.at.least(20);
    expect(new Set(offerings.map((o) => o.providerId)).size).to.be.at.least(4);
    const enrollments = (await call('GET', '/api/courses/v1/enrollments?limit=500', admin)).body
      .items as Json[];
    const states = new Set(enrollments.map((e) => e.status));
    for (const status of [
      'requested',
      'consented',
      'approved',
      'enrolled',
      'waitlisted',
      'rejected',
      'withdrawn',
      'completed',
      'failed',
    ]) {
      expect(states, status).to.include(status);
    }
  });

  it('answers 401 without a token, 403 across schools, 4xx problem+json for bad input through the gateway', async () => {
    expect((await call('GET', '/api/registry/v1/organisations')).status).to.equal(401);
    const coordinator = await login('coordinator.lyceum1@demo.mathnet.local', 'demo-password');
    const cross = await call('POST', '/api/registry/v1/people', coordinator, {
      givenName: 'Пётр',
      familyName: 'Иванов',
      roles: [{ role: 'student', organisationId: schoolId, grade: 10 }],
    });
    expect(cross.status).to.equal(403);
    expect(cross.type).to.match(/^application\/problem\+json/);
    const admin = await login('admin@mathnet.local', 'admin-pass-123');
    const bad: [string, number][] = [
      ['{"name": ', 400],
      [JSON.stringify({ name: 1, kind: 'school' }), 400],
      [JSON.stringify({ name: 'X', kind: 'kindergarten' }), 400],
      [JSON.stringify({ name: 'y'.repeat(2 * 1024 * 1024), kind: 'school' }), 413],
    ];
    for (const [raw, status] of bad) {
      const res = await call('POST', '/api/registry/v1/organisations', admin, undefined, raw);
      expect(res.status, raw.slice(0, 30)).to.equal(status);
      expect(res.type).to.match(/^application\/problem\+json/);
    }
  });

  it('answers 429 after repeated wrong passwords', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const res = await call('POST', '/api/auth/token', undefined, {
        grant_type: 'password',
        username: 'teacher.school3@demo.mathnet.local',
        password: `wrong-${i}`,
      });
      statuses.push(res.status);
    }
    expect(statuses[0]).to.equal(400);
    expect(statuses.at(-1)).to.equal(429);
  });

  it('refuses a second process on the same data directory with a clear message', async () => {
    const second = spawnStandalone({ ...env(), PORT: String(await freePort()) });
    const code = await second.exited;
    expect(code).to.equal(75);
    expect(second.output()).to.match(/in use by another mathnet process/);
  });

  it('keeps the data across a restart (and does not load the demo twice)', async () => {
    await stop(proc!);
    proc = spawnStandalone(env());
    await waitReady(url, proc, 120_000);
    const admin = await login('admin@mathnet.local', 'admin-pass-123');
    const list = await call('GET', '/api/registry/v1/organisations?limit=200', admin);
    const names = list.body.items.map((o: Json) => o.name);
    expect(names).to.include('Школа №1');
    expect(names.filter((n: string) => n === 'МБОУ «Лицей № 1»')).to.have.length(1);
  });
});
