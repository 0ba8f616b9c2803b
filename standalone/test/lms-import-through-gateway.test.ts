import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventRecorder, recordEvents } from '@mathnet/bus';
import {
  buildOneRosterZip,
  csvRows,
  districtZip,
  generateDistrict,
  oneRosterHeaders,
  oneRosterManifest,
  roleRows,
  toCsv,
} from '@mathnet/connector-oneroster/test-double';
import { createLogger } from '@mathnet/kit';
import type { Enrollment, User } from '@mathnet/lms-sdk';
import { expect } from 'chai';
import { readStandaloneConfig } from '../src/config';
import { type StandaloneNetwork, startStandalone } from '../src/start-standalone';

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
type Json = any;

const school = generateDistrict({
  students: 400,
  teachers: 30,
  classes: 12,
  enrollments: 2000,
  sessions: 2,
  courses: 5,
  seed: 2026,
});
const users = [...school.records('users')] as User[];
const enrollments = [...school.records('enrollments')] as Enrollment[];
/** Results that complete their enrollment when pulled back (as the bridge reads them). */
const completions = [...school.records('results')].filter(
  (r) => r.status === 'active' && (r.completed ?? r.scoreStatus === 'fully graded'),
).length;

describe('OneRoster import through the gateway (standalone, in process)', function () {
  this.timeout(180_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'mathnet-lms-'));
  let network: StandaloneNetwork;
  let events: EventRecorder;
  let admin: string;
  let coord: string;
  let schoolId: string;
  let connectionId: string;

  const call = async (
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    type = 'application/json',
  ): Promise<{ status: number; body: Json; text: string }> => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = type;
    const payload = body instanceof Uint8Array ? body : body !== undefined ? JSON.stringify(body) : undefined;
    const res = await fetch(`${network.url}${path}`, {
      method,
      headers,
      ...(payload !== undefined ? { body: payload } : {}),
    });
    const text = await res.text();
    let json: Json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, body: json, text };
  };
  const login = async (username: string, password: string) =>
    (await call('POST', '/api/auth/token', undefined, { grant_type: 'password', username, password })).body
      .access_token as string;
  const importZip = async (zip: Uint8Array) => {
    const queued = await call(
      'POST',
      `/api/lms-bridge/v1/connections/${connectionId}/imports`,
      coord,
      zip,
      'application/zip',
    );
    expect(queued.status, queued.text).to.equal(202);
    for (let i = 0; i < 1200; i += 1) {
      const run = await call('GET', `/api/lms-bridge/v1/runs/${queued.body.runId}`, coord);
      if (run.body.status === 'succeeded' || run.body.status === 'failed') return run.body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('run did not finish');
  };
  /** Polls until `check` holds (effects of events are asynchronous across services). */
  const eventually = async (value: () => Promise<number>, expected: number, what: string) => {
    let last = -1;
    for (let i = 0; i < 300; i += 1) {
      last = await value();
      if (last === expected) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${what}: expected ${expected}, last saw ${last}`);
  };
  const countAll = async (path: string) => {
    let n = 0;
    let cursor: string | null = null;
    do {
      const page: Json = await call(
        'GET',
        `${path}${path.includes('?') ? '&' : '?'}limit=200${cursor ? `&cursor=${cursor}` : ''}`,
        admin,
      );
      n += page.body.items.length;
      cursor = page.body.nextCursor;
    } while (cursor);
    return n;
  };

  before(async () => {
    const config = readStandaloneConfig({
      PORT: '0',
      MATHNET_DATA_DIR: dataDir,
      MATHNET_DEMO: '0',
      MATHNET_ADMIN_PASSWORD: 'admin-pass-123',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PER_MINUTE: '100000',
    });
    network = await startStandalone(config, createLogger('test', 'silent'));
    events = await recordEvents(network.bus, { group: 'test.lms-import', patterns: ['mathnet.#'] });
    admin = await login('admin@mathnet.local', 'admin-pass-123');
    schoolId = (
      await call('POST', '/api/registry/v1/organisations', admin, {
        name: 'МБОУ «Лицей № 1»',
        kind: 'school',
      })
    ).body.id;
    await call('POST', '/api/registry/v1/people', admin, {
      givenName: 'Ирина',
      familyName: 'Админова',
      roles: [{ role: 'school_admin', organisationId: schoolId }],
      account: { email: 'it@lyceum.test', password: 'password-it' },
    });
    coord = await login('it@lyceum.test', 'password-it');
    const created = await call('POST', '/api/lms-bridge/v1/connections', coord, {
      organisationId: schoolId,
      connector: 'oneroster',
    });
    expect(created.status, created.text).to.equal(201);
    connectionId = created.body.id;
  });
  after(async () => {
    await events?.close();
    await network?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('imports a school: people in registry under it with roles, classes as offerings, enrolments; counts match', async () => {
    const run = await importZip(await districtZip(school));
    expect(run.status, JSON.stringify(run.errors?.slice(0, 3))).to.equal('succeeded');
    const counted =
      school.counts.users + school.counts.classes + school.counts.enrollments + school.counts.results;
    expect(run.counts).to.deep.equal({
      created: counted,
      updated: 0,
      deactivated: 0,
      unchanged: 0,
      failed: 0,
    });
    await eventually(
      () => countAll(`/api/registry/v1/people?organisationId=${schoolId}&role=student`),
      400,
      'students in registry',
    );
    expect(await countAll(`/api/registry/v1/people?organisationId=${schoolId}&role=teacher`)).to.equal(30);
    const names = (
      await call(
        'GET',
        `/api/registry/v1/people?organisationId=${schoolId}&q=${encodeURIComponent(users[0]!.familyName)}`,
        admin,
      )
    ).body.items.map((p: Json) => p.familyName);
    expect(names).to.include(users[0]!.familyName);
    await eventually(
      () => countAll(`/api/courses/v1/offerings?providerId=${schoolId}`),
      12,
      'offerings in courses',
    );
    const studentEnrollments = enrollments.filter((e) => e.role === 'student').length;
    // Results marked fully graded complete their enrollment (grades pulled back).
    const enrolledOrCompleted = async () =>
      (await countAll(`/api/courses/v1/enrollments?organisationId=${schoolId}&status=enrolled`)) +
      (await countAll(`/api/courses/v1/enrollments?organisationId=${schoolId}&status=completed`));
    await eventually(enrolledOrCompleted, studentEnrollments, 'enrolled or completed students in courses');
    expect(completions).to.be.greaterThan(0);
    await eventually(
      () => countAll(`/api/courses/v1/enrollments?organisationId=${schoolId}&status=completed`),
      completions,
      'completed enrollments (grades pulled back)',
    );
  });

  it('imports the same zip again: zero changes, no change events', async () => {
    // First let the first import's own consequences finish arriving on the bus.
    const ofSchool = (e: { data: unknown }) => JSON.stringify(e.data).includes(schoolId);
    // Registry announces the LMS-made people in one people.changed event per batch (ADR 0007), none per person.
    const peopleBatch = (e: { type: string; subject?: string }) =>
      e.type === 'mathnet.registry.people.changed' && e.subject === schoolId;
    const registeredPeople = () =>
      new Set(
        events.events
          .filter(peopleBatch)
          .flatMap((e) => (e.data as { people: { change: string; person: { id: string } }[] }).people)
          .filter((p) => p.change === 'registered')
          .map((p) => p.person.id),
      ).size;
    // 400 students and 30 teachers from the LMS; the coordinator made through the API has her own person.registered.
    while (registeredPeople() < 430) {
      await events.waitForCount(peopleBatch, events.events.filter(peopleBatch).length + 1, 60_000);
    }
    expect(registeredPeople()).to.equal(430);
    const singles = events.events.filter(
      (e) => e.type === 'mathnet.registry.person.registered' && ofSchool(e),
    );
    expect(singles.map((e) => (e.data as { familyName: string }).familyName)).to.deep.equal(['Админова']);
    // Courses announces an LMS batch's enrollments in one enrollments.changed per batch (ADR 0007), none per record.
    const enrollmentsBatch = (e: { type: string; subject?: string }) =>
      e.type === 'mathnet.courses.enrollments.changed' && e.subject === schoolId;
    const announced = (status: string) =>
      new Set(
        events.events
          .filter(enrollmentsBatch)
          .flatMap((e) => (e.data as { enrollments: { id: string; status: string }[] }).enrollments)
          .filter((x) => x.status === status)
          .map((x) => x.id),
      ).size;
    const studentEnrollments = enrollments.filter((x) => x.role === 'student').length;
    while (announced('enrolled') < studentEnrollments || announced('completed') < completions) {
      await events.waitForCount(enrollmentsBatch, events.events.filter(enrollmentsBatch).length + 1, 60_000);
    }
    expect([announced('enrolled'), announced('completed')]).to.deep.equal([studentEnrollments, completions]);
    expect(
      events.events.filter((e) => e.type.startsWith('mathnet.courses.enrollment.') && ofSchool(e)),
    ).to.deep.equal([]);
    await events.waitForCount(
      (e) => e.type === 'mathnet.courses.offering.published' && ofSchool(e),
      12,
      60_000,
    );
    const before = events.events.length;
    const run = await importZip(await districtZip(school));
    expect(run.counts).to.include({ created: 0, updated: 0, deactivated: 0, failed: 0 });
    await events.waitFor((e) => e.type === 'mathnet.lms.sync.completed' && (e.data as Json).runId === run.id);
    const after = events.events.slice(before).map((e) => e.type);
    expect(after.filter((t) => !t.startsWith('mathnet.lms.sync.'))).to.deep.equal([]);
  });

  it('applies a delta zip: one student leaves, one renamed, one new enrolment — exactly those changes', async () => {
    const changed = '2026-02-01T10:00:00.000Z';
    const student = (i: number) => users.filter((u) => u.roles[0]?.role === 'student')[i]!;
    const leaving: User = { ...student(0), status: 'tobedeleted', dateLastModified: changed };
    const renamed: User = {
      ...student(1),
      familyName: 'Ковалёва, урожд. "Соколова"',
      dateLastModified: changed,
    };
    const taken = new Set(
      enrollments.filter((e) => e.userSourcedId === renamed.sourcedId).map((e) => e.classSourcedId),
    );
    const freeClass = [...school.records('classes')].find((c) => !taken.has(c.sourcedId))!;
    const enrollment: Enrollment = {
      sourcedId: 'enr-delta-1',
      status: 'active',
      dateLastModified: changed,
      classSourcedId: freeClass.sourcedId,
      schoolSourcedId: freeClass.schoolSourcedId,
      userSourcedId: renamed.sourcedId,
      role: 'student',
    };
    const zip = await buildOneRosterZip({
      manifest: oneRosterManifest({ users: 'delta', roles: 'delta', enrollments: 'delta' }),
      files: {
        'users.csv': toCsv(oneRosterHeaders.users, [
          csvRows.users(leaving, true),
          csvRows.users(renamed, true),
        ]),
        'roles.csv': toCsv(oneRosterHeaders.roles, [...roleRows(leaving, true), ...roleRows(renamed, true)]),
        'enrollments.csv': toCsv(oneRosterHeaders.enrollments, [csvRows.enrollments(enrollment, true)]),
      },
    });
    const run = await importZip(zip);
    expect(run.counts).to.deep.equal({ created: 1, updated: 1, deactivated: 1, unchanged: 0, failed: 0 });
    await eventually(
      () => countAll(`/api/registry/v1/people?organisationId=${schoolId}&role=student`),
      399,
      'students after the leaver left',
    );
    const found = await call('GET', `/api/registry/v1/people?q=${encodeURIComponent('Ковалёва')}`, admin);
    expect(found.body.items.map((p: Json) => p.familyName)).to.deep.equal(['Ковалёва, урожд. "Соколова"']);
  });

  it('applies the good rows of a broken file and reports each bad row with file, line and reason', async () => {
    const good = users.find((u) => u.roles[0]?.role === 'student')!;
    const header = oneRosterHeaders.users;
    const row = (u: User) => csvRows.users(u, false);
    const missingName = row({ ...good, sourcedId: 'bad-1', givenName: '' as string });
    const newcomer: User = {
      ...good,
      sourcedId: 'new-1',
      givenName: 'Новенький',
      familyName: 'Учеников',
      email: 'new-1@lyceum.test',
    };
    const zip = await buildOneRosterZip({
      manifest: oneRosterManifest({ users: 'delta', roles: 'delta', enrollments: 'delta' }),
      files: {
        'users.csv': toCsv(header, [
          csvRows.users(newcomer, true),
          missingName.map((c, i) => (i === 1 ? 'active' : i === 2 ? '2026-02-02T00:00:00Z' : c)),
        ]),
        'roles.csv': toCsv(oneRosterHeaders.roles, [
          ...roleRows(newcomer, true),
          ...roleRows({ ...good, sourcedId: 'bad-1' }, true),
          ...roleRows(
            {
              ...good,
              sourcedId: 'bad-2',
              roles: [{ roleType: 'primary', role: 'student', orgSourcedId: 'x' }],
            },
            true,
          ).map((r) => r.map((c) => (c === 'student' ? 'wizard' : c))),
        ]),
        'enrollments.csv': toCsv(oneRosterHeaders.enrollments, [
          csvRows.enrollments(
            {
              sourcedId: 'enr-ghost',
              status: 'active',
              dateLastModified: '2026-02-02T00:00:00Z',
              classSourcedId: enrollments[0]!.classSourcedId,
              schoolSourcedId: enrollments[0]!.schoolSourcedId,
              userSourcedId: 'nobody',
              role: 'student',
            },
            true,
          ),
        ]),
      },
    });
    const run = await importZip(zip);
    expect(run.status).to.equal('succeeded');
    expect(run.counts.created).to.equal(1);
    expect(run.counts.failed).to.be.at.least(2);
    const reasons = run.errors.map((e: Json) => `${e.entity}|${e.file ?? ''}|${e.line ?? ''}|${e.reason}`);
    expect(
      run.errors.some((e: Json) => e.file === 'users.csv' && e.line === 3),
      reasons.join('\n'),
    ).to.equal(true);
    expect(
      run.errors.some((e: Json) => e.sourcedId === 'enr-ghost' && /unknown user/.test(e.reason)),
      reasons.join('\n'),
    ).to.equal(true);
    await eventually(
      async () =>
        (await call('GET', `/api/registry/v1/people?q=${encodeURIComponent('Новенький')}`, admin)).body.items
          .length,
      1,
      'the good row applied',
    );
  });
});
