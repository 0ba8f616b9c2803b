import { sampleMoodleSeed, sampleTokens, startMoodleDouble } from '@mathnet/connector-moodle/test-double';
import { createEvent } from '@mathnet/contracts';
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { loadConnectors } from '../src/connectors/load-connectors';
import { mappings, pushes } from '../src/store/schema';
import { type BridgeHarness, startBridge, waitForRun } from './bridge-harness';

const schoolA = '01890000-0000-7000-8000-00000000000a';

describe('Moodle connector through the bridge (against the Moodle test double)', function () {
  this.timeout(90_000);
  let h: BridgeHarness;
  let moodle: Awaited<ReturnType<typeof startMoodleDouble>>;
  let coord: string;

  before(async () => {
    moodle = await startMoodleDouble(sampleMoodleSeed());
    h = await startBridge('moodle-sync', await loadConnectors(['moodle']));
    coord = h.tokenFor('01890000-0000-7000-8000-000000000001', [
      { role: 'school_admin', organisationId: schoolA },
    ]);
  });
  after(async () => {
    await h?.close();
    await moodle?.close();
  });

  const connect = async (token: string) => {
    const res = await h.call('POST', '/v1/connections', coord, {
      organisationId: schoolA,
      connector: 'moodle',
      settings: { baseUrl: moodle.url },
      secrets: { token },
    });
    expect(res.status, res.text).to.equal(201);
    return res.body.id as string;
  };

  it('pulls courses, users and enrolments; then pushes a network enrolment into the Moodle course', async () => {
    const id = await connect(sampleTokens.full);
    expect((await h.call('POST', `/v1/connections/${id}/test`, coord)).body.ok).to.equal(true);
    const run = await waitForRun(
      h,
      (await h.call('POST', `/v1/connections/${id}/sync`, coord)).body.runId,
      coord,
    );
    expect(run.status, JSON.stringify(run)).to.equal('succeeded');
    const db = h.database.db;
    const of = async (entity: string) =>
      db
        .select()
        .from(mappings)
        .where(and(eq(mappings.connectionId, id), eq(mappings.entity, entity)));
    const classes = await of('class');
    const users = await of('user');
    const enrolled = await of('enrollment');
    expect(classes.length).to.equal(moodle.state.courses.filter((c) => c.id !== 1).length);
    expect(users.length).to.be.greaterThan(10);
    expect(enrolled.length).to.be.greaterThan(10);
    await h.events.waitFor((e) => e.type === 'mathnet.lms.classes.synced');

    // A student of this Moodle site, not yet in course 2, is enrolled in its offering by the network.
    const course2 = classes.find((c) => c.sourceId === '2')!;
    const inCourse2 = new Set(
      moodle.state.enrolments.filter((e) => e.courseid === 2).map((e) => String(e.userid)),
    );
    const outsider = users.find(
      (u) =>
        !inCourse2.has(u.sourceId) &&
        (u.detail as { roles: { role: string }[] }).roles.some((r) => r.role === 'student'),
    )!;
    expect(outsider, 'a student outside course 2').to.exist;
    const enrollmentId = '01890000-0000-7000-8000-0000000000e1';
    await h.bus.publish([
      createEvent({
        source: '/mathnet/courses',
        type: 'mathnet.courses.enrollment.enrolled',
        subject: enrollmentId,
        data: {
          id: enrollmentId,
          offeringId: course2.networkId,
          providerId: schoolA,
          studentId: outsider.networkId,
          homeSchoolId: schoolA,
          status: 'enrolled',
          actorId: '01890000-0000-7000-8000-000000000001',
          reason: null,
          result: null,
          version: 3,
        },
      }),
    ]);
    for (
      let i = 0;
      i < 200 &&
      !moodle.state.enrolments.some((e) => e.courseid === 2 && String(e.userid) === outsider.sourceId);
      i += 1
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(
      moodle.state.enrolments.some((e) => e.courseid === 2 && String(e.userid) === outsider.sourceId),
    ).to.equal(true);
    // The push is recorded right after Moodle answered.
    let recorded = await db.select().from(pushes).where(eq(pushes.enrollmentId, enrollmentId));
    for (let i = 0; i < 200 && recorded.length === 0; i += 1) {
      await new Promise((r) => setTimeout(r, 25));
      recorded = await db.select().from(pushes).where(eq(pushes.enrollmentId, enrollmentId));
    }
    expect(recorded.map((p) => p.status)).to.deep.equal(['done']);
  });

  it('gives a clear failed run for an invalid token, not a crash', async () => {
    const id = await connect('00000000000000000000000000000000');
    const test = await h.call('POST', `/v1/connections/${id}/test`, coord);
    expect(test.body.ok).to.equal(false);
    expect(test.body.error.code).to.equal('auth_failed');
    const run = await waitForRun(
      h,
      (await h.call('POST', `/v1/connections/${id}/sync`, coord)).body.runId,
      coord,
    );
    expect(run.status).to.equal('failed');
    expect(run.error).to.match(/^auth_failed: .*token/i);
    expect((await h.call('GET', '/health/ready')).status).to.equal(200);
  });
});
