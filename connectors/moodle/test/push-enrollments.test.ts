import { AuthFailedError, type EnrollmentPush } from '@mathnet/lms-sdk';
import { expect } from 'chai';
import { sampleMoodleSeed, sampleTokens } from '../test-double/index';
import { type Connected, callsOf, connect, signal } from './helpers';

const item = (over: Partial<EnrollmentPush> & Pick<EnrollmentPush, 'key'>): EnrollmentPush => ({
  classSourcedId: '3',
  userSourcedId: '100',
  role: 'student',
  status: 'active',
  ...over,
});

describe('pushEnrollments', () => {
  let c: Connected;
  afterEach(() => c.double.close());
  const rolesOf = (courseId: number, userId: number) =>
    c.double.state.enrolments.find((e) => e.courseid === courseId && e.userid === userId)?.roleids;

  it('enrols in Moodle, and a second identical push changes nothing', async () => {
    c = await connect(sampleMoodleSeed(), sampleTokens.full);
    const items = [
      item({ key: 'a' }),
      item({ key: 'b', classSourcedId: '2', userSourcedId: '12', role: 'teacher' }),
    ];
    const first = await c.session.pushEnrollments!(items, { signal: signal() });
    expect(first).to.deep.equal([
      { key: 'a', ok: true, changed: true },
      { key: 'b', ok: true, changed: true },
    ]);
    expect(rolesOf(3, 100)).to.deep.equal([5]);
    expect(rolesOf(2, 12)).to.deep.equal([3]);
    expect(callsOf(c.double, 'enrol_manual_enrol_users').map((x) => x.params)).to.deep.equal([
      { enrolments: { 0: { roleid: '5', userid: '100', courseid: '3' } } },
      { enrolments: { 0: { roleid: '3', userid: '12', courseid: '2' } } },
    ]);

    const second = await c.session.pushEnrollments!(items, { signal: signal() });
    expect(second).to.deep.equal([
      { key: 'a', ok: true, changed: false },
      { key: 'b', ok: true, changed: false },
    ]);
    expect(callsOf(c.double, 'enrol_manual_enrol_users')).to.have.length(2);
  });

  it('reads each course once per push and sees its own changes', async () => {
    c = await connect(sampleMoodleSeed(), sampleTokens.full);
    const outcomes = await c.session.pushEnrollments!(
      [item({ key: 'a' }), item({ key: 'a-again' }), item({ key: 'c', userSourcedId: '101' })],
      { signal: signal() },
    );
    expect(outcomes.map((o) => o.ok && o.changed)).to.deep.equal([true, false, true]);
    // One read of the course: its first page, then the empty page that ends it.
    const reads = callsOf(c.double, 'core_enrol_get_enrolled_users').map(
      (x) => x.params as { options: Record<string, { value: string }> },
    );
    expect(reads.map((r) => r.options[0]!.value)).to.deep.equal(['0', '13']);
  });

  it('unenrols (tobedeleted), idempotently', async () => {
    c = await connect(sampleMoodleSeed(), sampleTokens.full);
    const items = [item({ key: 'x', classSourcedId: '2', userSourcedId: '101', status: 'tobedeleted' })];
    expect(await c.session.pushEnrollments!(items, { signal: signal() })).to.deep.equal([
      { key: 'x', ok: true, changed: true },
    ]);
    expect(rolesOf(2, 101)).to.equal(undefined);
    expect(await c.session.pushEnrollments!(items, { signal: signal() })).to.deep.equal([
      { key: 'x', ok: true, changed: false },
    ]);
    expect(callsOf(c.double, 'enrol_manual_unenrol_users')).to.have.length(1);
  });

  it('removing one role of a user with two only unassigns that role', async () => {
    c = await connect(sampleMoodleSeed(), sampleTokens.full);
    await c.session.pushEnrollments!(
      [item({ key: 't', classSourcedId: '6', userSourcedId: '11', role: 'teacher' })],
      {
        signal: signal(),
      },
    );
    expect(rolesOf(6, 11)).to.deep.equal([5, 3]);
    const out = await c.session.pushEnrollments!(
      [item({ key: 's', classSourcedId: '6', userSourcedId: '11', role: 'student', status: 'tobedeleted' })],
      { signal: signal() },
    );
    expect(out).to.deep.equal([{ key: 's', ok: true, changed: true }]);
    expect(rolesOf(6, 11)).to.deep.equal([3]);
  });

  it('a non-editing teacher already counts as a teacher (the pull maps both to teacher)', async () => {
    c = await connect(sampleMoodleSeed(), sampleTokens.full);
    const teacher = item({ key: 'nt', classSourcedId: '5', userSourcedId: '11', role: 'teacher' });
    expect(await c.session.pushEnrollments!([teacher], { signal: signal() })).to.deep.equal([
      { key: 'nt', ok: true, changed: false },
    ]);
    expect(rolesOf(5, 11)).to.deep.equal([4]);
    const out = await c.session.pushEnrollments!([{ ...teacher, status: 'tobedeleted' }], {
      signal: signal(),
    });
    expect(out).to.deep.equal([{ key: 'nt', ok: true, changed: true }]);
    expect(rolesOf(5, 11)).to.equal(undefined);
  });

  it('reports Moodle errors per item, and bad ids without calling Moodle', async () => {
    c = await connect(sampleMoodleSeed(), sampleTokens.full);
    const outcomes = await c.session.pushEnrollments!(
      [
        item({ key: 'unknown-user', userSourcedId: '99999' }),
        item({ key: 'unknown-course', classSourcedId: '999' }),
        item({ key: 'not-an-id', userSourcedId: 'ivanov' }),
        item({ key: 'site', classSourcedId: '1' }),
        item({ key: 'fine' }),
      ],
      { signal: signal() },
    );
    expect(outcomes[0]).to.deep.include({ key: 'unknown-user', ok: false, retryable: false });
    expect((outcomes[0] as { error: string }).error).to.contain('User ID does not exist or is deleted');
    expect(outcomes[1]).to.deep.equal({
      key: 'unknown-course',
      ok: false,
      error: 'Moodle course 999 does not exist',
      retryable: false,
    });
    expect(outcomes[2]).to.deep.include({ key: 'not-an-id', ok: false, retryable: false });
    expect(outcomes[3]).to.deep.include({ key: 'site', ok: false, retryable: false });
    expect(outcomes[4]).to.deep.equal({ key: 'fine', ok: true, changed: true });
  });

  it('the site down: items fail as retryable, and the rest are not tried', async () => {
    c = await connect(sampleMoodleSeed(), sampleTokens.full);
    c.double.state.mode = 'down';
    const outcomes = await c.session.pushEnrollments!(
      [item({ key: 'a' }), item({ key: 'b', classSourcedId: '4' })],
      {
        signal: signal(),
      },
    );
    expect(outcomes.map((o) => !o.ok && o.retryable)).to.deep.equal([true, true]);
    expect((outcomes[1] as { error: string }).error).to.match(/^not tried: /);
  });

  it('a token without the enrol functions fails the whole push with AuthFailedError', async () => {
    c = await connect(sampleMoodleSeed(), sampleTokens.readOnly);
    await c.session.pushEnrollments!([item({ key: 'a' })], { signal: signal() }).then(
      () => expect.fail('the push should reject'),
      (error) => expect(error).to.be.instanceOf(AuthFailedError),
    );
  });
});
