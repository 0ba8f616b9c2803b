import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventRecorder, recordEvents } from '@mathnet/bus';
import { createLogger } from '@mathnet/kit';
import { expect } from 'chai';
import { readStandaloneConfig } from '../src/config';
import { type StandaloneNetwork, startStandalone } from '../src/start-standalone';

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
type Json = any;

describe('courses through the gateway (standalone, in process)', function () {
  this.timeout(120_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'mathnet-courses-gw-'));
  let network: StandaloneNetwork;
  let events: EventRecorder;

  const call = async (
    method: string,
    path: string,
    token?: string,
    body?: unknown,
  ): Promise<{ status: number; body: Json }> => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${network.url}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const login = async (username: string, password: string): Promise<string> => {
    const res = await call('POST', '/api/auth/token', undefined, {
      grant_type: 'password',
      username,
      password,
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.access_token;
  };

  before(async () => {
    const config = readStandaloneConfig({
      PORT: '0',
      MATHNET_DATA_DIR: dataDir,
      MATHNET_DEMO: '0',
      MATHNET_ADMIN_PASSWORD: 'admin-pass-123',
      LOG_LEVEL: 'silent',
    });
    network = await startStandalone(config, createLogger('test', 'silent'));
    events = await recordEvents(network.bus, {
      group: 'test.courses-gateway',
      patterns: ['mathnet.courses.#'],
    });
  });
  after(async () => {
    await events?.close();
    await network?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('takes a student of school A through request → consent → approve → accept → complete → credit at the partner university', async () => {
    const admin = await login('admin@mathnet.local', 'admin-pass-123');
    const school = (
      await call('POST', '/api/registry/v1/organisations', admin, { name: 'Школа А', kind: 'school' })
    ).body.id;
    const university = (
      await call('POST', '/api/registry/v1/organisations', admin, { name: 'Университет', kind: 'university' })
    ).body.id;
    const person = async (body: Json) => {
      const res = await call('POST', '/api/registry/v1/people', admin, body);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      return res.body.id as string;
    };
    await person({
      givenName: 'Ольга',
      familyName: 'Координатова',
      roles: [{ role: 'school_admin', organisationId: school }],
      account: { email: 'coord@a.test', password: 'password-1' },
    });
    await person({
      givenName: 'Павел',
      familyName: 'Проректоров',
      roles: [{ role: 'school_admin', organisationId: university }],
      account: { email: 'coord@uni.test', password: 'password-2' },
    });
    await person({
      givenName: 'Анна',
      familyName: 'Преподавателева',
      roles: [{ role: 'teacher', organisationId: university }],
      account: { email: 'teacher@uni.test', password: 'password-3' },
    });
    const studentId = await person({
      givenName: 'Илья',
      familyName: 'Учеников',
      birthDate: '2010-02-02',
      roles: [{ role: 'student', organisationId: school, grade: 10, classLetter: 'А' }],
      account: { email: 'student@a.test', password: 'password-4' },
    });
    await person({
      givenName: 'Мария',
      familyName: 'Ученикова',
      roles: [{ role: 'parent', organisationId: school, studentId }],
      account: { email: 'parent@a.test', password: 'password-5' },
    });
    const [coordA, coordUni, teacher, student, parent] = await Promise.all(
      [
        ['coord@a.test', 'password-1'],
        ['coord@uni.test', 'password-2'],
        ['teacher@uni.test', 'password-3'],
        ['student@a.test', 'password-4'],
        ['parent@a.test', 'password-5'],
      ].map(([u, p]) => login(u!, p!)),
    );

    const offering = await call('POST', '/api/courses/v1/offerings', coordUni, {
      title: 'Введение в математический анализ',
      providerId: university,
      kind: 'distance_course',
      subjects: ['maths'],
      grades: [10, 11],
      format: 'distance',
      capacity: 10,
      hours: 48,
    });
    expect(offering.status).to.equal(201);
    expect(
      (await call('POST', `/api/courses/v1/offerings/${offering.body.id}/publish`, coordUni)).status,
    ).to.equal(200);

    // The courses read model learns the student from registry's events; until then the request is a 400.
    let requested = await call('POST', `/api/courses/v1/offerings/${offering.body.id}/enrollments`, student, {
      studentId,
    });
    for (let i = 0; i < 100 && requested.status === 400; i += 1) {
      await new Promise((r) => setTimeout(r, 50));
      requested = await call('POST', `/api/courses/v1/offerings/${offering.body.id}/enrollments`, student, {
        studentId,
      });
    }
    expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
    const id = requested.body.id;
    expect((await call('POST', `/api/courses/v1/enrollments/${id}/consent`, parent)).body.status).to.equal(
      'consented',
    );
    expect((await call('POST', `/api/courses/v1/enrollments/${id}/approve`, coordA)).body.status).to.equal(
      'approved',
    );
    expect((await call('POST', `/api/courses/v1/enrollments/${id}/accept`, coordUni)).body.status).to.equal(
      'enrolled',
    );
    expect(
      (
        await call('POST', `/api/courses/v1/enrollments/${id}/complete`, teacher, {
          passed: true,
          mark: 'отлично',
        })
      ).body.status,
    ).to.equal('completed');
    const credit = await call('POST', `/api/courses/v1/enrollments/${id}/credit`, coordA, {
      decision: 'credited',
    });
    expect(credit.body.credit).to.include({ decision: 'credited', subject: 'maths', hours: 48 });

    await events.waitFor((e) => e.type === 'mathnet.courses.credit.decided' && e.subject === id);
    const perType = new Map<string, number>();
    for (const e of events.events.filter((x) => x.subject === id))
      perType.set(e.type, (perType.get(e.type) ?? 0) + 1);
    expect(Object.fromEntries(perType)).to.deep.equal({
      'mathnet.courses.enrollment.requested': 1,
      'mathnet.courses.enrollment.approved': 1,
      'mathnet.courses.enrollment.enrolled': 1,
      'mathnet.courses.enrollment.completed': 1,
      'mathnet.courses.credit.decided': 1,
    });
    const docs = await call('GET', '/api/docs/openapi.json');
    expect(Object.keys(docs.body.paths)).to.include.members([
      '/api/courses/v1/offerings',
      '/api/registry/v1/people',
      '/api/auth/token',
    ]);
  });
});
