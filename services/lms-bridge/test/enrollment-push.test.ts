import { sampleMoodleSeed, sampleTokens, startMoodleDouble } from '@mathnet/connector-moodle/test-double';
import { createEvent, type EnrollmentEvent } from '@mathnet/contracts';
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { v4 as uuidv4 } from 'uuid';
import { loadConnectors } from '../src/connectors/load-connectors';
import { mappings, pushes } from '../src/store/schema';
import { type BridgeHarness, startBridge, waitForRun } from './bridge-harness';

const schoolA = '01890000-0000-7000-8000-00000000000a';
const coordinator = '01890000-0000-7000-8000-000000000001';

describe('enrollment push: a batch event of courses (enrollments.changed) into Moodle', function () {
  this.timeout(90_000);
  let h: BridgeHarness;
  let moodle: Awaited<ReturnType<typeof startMoodleDouble>>;
  let connectionId: string;

  before(async () => {
    moodle = await startMoodleDouble(sampleMoodleSeed());
    h = await startBridge('enrollment-push', await loadConnectors(['moodle']));
    const coord = h.tokenFor(coordinator, [{ role: 'school_admin', organisationId: schoolA }]);
    const created = await h.call('POST', '/v1/connections', coord, {
      organisationId: schoolA,
      connector: 'moodle',
      settings: { baseUrl: moodle.url },
      secrets: { token: sampleTokens.full },
    });
    expect(created.status, created.text).to.equal(201);
    connectionId = created.body.id;
    const run = await waitForRun(
      h,
      (await h.call('POST', `/v1/connections/${connectionId}/sync`, coord)).body.runId,
      coord,
    );
    expect(run.status, JSON.stringify(run)).to.equal('succeeded');
  });
  after(async () => {
    await h?.close();
    await moodle?.close();
  });

  const mapped = (entity: string) =>
    h.database.db
      .select()
      .from(mappings)
      .where(and(eq(mappings.connectionId, connectionId), eq(mappings.entity, entity)));
  const inCourse = (courseId: number, userSourceId: string) =>
    moodle.state.enrolments.some((e) => e.courseid === courseId && String(e.userid) === userSourceId);
  const pushesOf = (enrollmentId: string) =>
    h.database.db.select().from(pushes).where(eq(pushes.enrollmentId, enrollmentId));

  it('pushes the items not made by an LMS, once each, and drops the LMS-made ones', async () => {
    const classes = await mapped('class');
    const course2 = classes.find((c) => c.sourceId === '2')!;
    const students = (await mapped('user')).filter((u) =>
      (u.detail as { roles: { role: string }[] }).roles.some((r) => r.role === 'student'),
    );
    const [outsider, otherOutsider] = students.filter((u) => !inCourse(2, u.sourceId));
    const insider = students.find((u) => inCourse(2, u.sourceId));
    expect(outsider && otherOutsider && insider, 'two students outside course 2 and one in it').to.exist;
    const item = (
      student: { networkId: string },
      status: EnrollmentEvent['status'],
      actorId: string,
    ): EnrollmentEvent => ({
      id: uuidv4(),
      offeringId: course2.networkId,
      providerId: schoolA,
      studentId: student.networkId,
      homeSchoolId: schoolA,
      status,
      actorId,
      reason: null,
      result: null,
      version: 1,
    });
    const lms = `lms:${connectionId}`;
    // Pushed back, the first would unenrol the insider and the second enrol the other outsider.
    const lmsWithdrawal = item(insider!, 'withdrawn', lms);
    const lmsEnrolment = item(otherOutsider!, 'enrolled', lms);
    const networkEnrolment = item(outsider!, 'enrolled', coordinator);
    const networkCompletion = item(insider!, 'completed', coordinator);
    const callsBefore = moodle.state.calls.length;
    await h.bus.publish([
      createEvent({
        source: '/mathnet/courses',
        type: 'mathnet.courses.enrollments.changed',
        subject: schoolA,
        data: {
          enrollments: [lmsWithdrawal, lmsEnrolment, networkEnrolment, networkCompletion],
          source: { connectionId, runId: uuidv4() },
        },
      }),
    ]);
    let recorded = await pushesOf(networkEnrolment.id);
    for (let i = 0; i < 400 && recorded.length === 0; i += 1) {
      await new Promise((r) => setTimeout(r, 25));
      recorded = await pushesOf(networkEnrolment.id);
    }
    expect(recorded.map((p) => [p.action, p.status])).to.deep.equal([['enroll', 'done']]);
    expect(inCourse(2, outsider!.sourceId)).to.equal(true);
    expect(inCourse(2, insider!.sourceId)).to.equal(true);
    expect(inCourse(2, otherOutsider!.sourceId)).to.equal(false);
    const enrolCalls = moodle.state.calls
      .slice(callsBefore)
      .filter((c) => c.wsfunction.startsWith('enrol_manual_'))
      .map((c) => c.wsfunction);
    expect(enrolCalls).to.deep.equal(['enrol_manual_enrol_users']);
    for (const dropped of [lmsWithdrawal, lmsEnrolment, networkCompletion]) {
      expect(await pushesOf(dropped.id), dropped.status).to.deep.equal([]);
    }
  });
});
