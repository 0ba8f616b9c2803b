import { AuthFailedError, LmsUnavailableError } from '@mathnet/lms-sdk';
import { expect } from 'chai';
import { sampleMoodleSeed, sampleTokens } from '../test-double/index';
import { type Connected, connect, signal } from './helpers';

describe('MoodleSession.test()', () => {
  let c: Connected | undefined;
  afterEach(() => c?.double.close());

  it('reports the site, the token user and the functions the token may call', async () => {
    c = await connect(sampleMoodleSeed(), sampleTokens.full);
    const report = await c.session.test(signal());
    expect(report).to.deep.include({
      sitename: 'МБОУ «Школа №1»: дистанционное обучение',
      username: 'admin',
      release: '4.5.2 (Build: 20250210)',
      missingOptional: [],
    });
    expect(report.functions).to.include.members([
      'core_webservice_get_site_info',
      'core_enrol_get_enrolled_users',
      'enrol_manual_enrol_users',
      'gradereport_user_get_grade_items',
      'core_completion_get_course_completion_status',
    ]);
  });

  it('fails with a clear AuthFailedError when a needed function is not allowed', async () => {
    c = await connect(sampleMoodleSeed(), sampleTokens.readOnly);
    let error: unknown;
    await c.session.test(signal()).catch((e) => {
      error = e;
    });
    expect(error).to.be.instanceOf(AuthFailedError);
    expect((error as Error).message).to.equal(
      'The Moodle token of user "admin" may not call enrol_manual_enrol_users, enrol_manual_unenrol_users. Add them to the token\'s external service (Site administration → Server → Web services → External services → Functions).',
    );
  });

  it('passes without the optional functions and says which are missing', async () => {
    c = await connect(sampleMoodleSeed(), sampleTokens.requiredOnly);
    const report = await c.session.test(signal());
    expect(report.missingOptional).to.deep.equal([
      'core_completion_get_course_completion_status',
      'core_role_unassign_roles',
    ]);
  });

  it('asks for core_course_get_courses_by_field when a category is configured', async () => {
    const seed = sampleMoodleSeed();
    seed.tokens[0]!.functions = seed.tokens[0]!.functions!.filter(
      (f) => f !== 'core_course_get_courses_by_field',
    );
    c = await connect(seed, sampleTokens.full, { categoryId: 2 });
    await c.session.test(signal()).then(
      () => expect.fail('test() should refuse'),
      (error: Error) => expect(error.message).to.contain('may not call core_course_get_courses_by_field'),
    );
  });

  it('the site down → LmsUnavailableError for test() and for the pulls', async () => {
    c = await connect(sampleMoodleSeed(), sampleTokens.full);
    c.double.state.mode = 'down';
    await c.session.test(signal()).then(
      () => expect.fail('test() should reject'),
      (error) => expect(error).to.be.instanceOf(LmsUnavailableError),
    );
    for (const pull of [c.session.pullRoster!, c.session.pullCourses!, c.session.pullGrades!]) {
      const iterator = pull.call(c.session, { signal: signal() })[Symbol.asyncIterator]();
      await iterator.next().then(
        () => expect.fail('the pull should reject'),
        (error) => expect(error).to.be.instanceOf(LmsUnavailableError),
      );
    }
  });
});
