import { expect } from 'chai';
import { type MoodleDoubleSeed, sampleMoodleSeed, sampleStudent, sampleTokens } from '../test-double/index';
import { type Connected, callsOf, collect, connect, signal } from './helpers';

describe('pullCourses / pullRoster', () => {
  let c: Connected | undefined;
  afterEach(() => c?.double.close());

  it('maps the site to a school org and each course to a course and a class, without the site course', async () => {
    c = await connect(sampleMoodleSeed(), sampleTokens.full);
    const { records } = await collect(c.session.pullCourses!({ signal: signal() }));
    expect(records.orgs).to.deep.equal([
      {
        sourcedId: 'moodle-site',
        status: 'active',
        name: 'МБОУ «Школа №1»: дистанционное обучение',
        type: 'school',
        identifier: 'https://moodle.school1.example',
      },
    ]);
    expect(records.courses!.map((x) => x.sourcedId)).to.deep.equal(['2', '3', '4', '5', '6']);
    expect(records.classes![0]).to.deep.include({
      sourcedId: '2',
      title: 'Алгебра, 7А класс',
      classCode: 'АЛГ-7А',
      courseSourcedId: '2',
      schoolSourcedId: 'moodle-site',
      classType: 'scheduled',
    });
    expect(records.courses![0]).to.deep.include({
      title: 'Алгебра, 7А класс',
      courseCode: 'АЛГ-7А',
      orgSourcedId: 'moodle-site',
    });
  });

  it('uses the configured category and school sourcedId', async () => {
    c = await connect(sampleMoodleSeed(), sampleTokens.full, { categoryId: 2, schoolSourcedId: 'school-1' });
    const { records } = await collect(c.session.pullCourses!({ signal: signal() }));
    expect(records.classes!.map((x) => x.sourcedId)).to.deep.equal(['2', '3', '6']);
    expect(records.orgs![0]!.sourcedId).to.equal('school-1');
    expect(records.classes!.every((x) => x.schoolSourcedId === 'school-1')).to.equal(true);
    expect(callsOf(c.double, 'core_course_get_courses')).to.have.length(0);
  });

  it('pulls users once across courses, with Cyrillic names, idnumbers and merged roles', async () => {
    c = await connect(sampleMoodleSeed(), sampleTokens.full);
    const { records } = await collect(c.session.pullRoster!({ signal: signal() }));
    const users = records.users!;
    expect(users).to.have.length(39);
    expect(new Set(users.map((u) => u.sourcedId)).size).to.equal(39);
    const student = users.find((u) => u.sourcedId === '106')!;
    expect(student).to.deep.include({
      givenName: sampleStudent(6).firstname,
      familyName: sampleStudent(6).lastname,
      username: sampleStudent(6).username,
      email: sampleStudent(6).email,
      userIds: [{ type: 'idnumber', identifier: 'УЧ-2024006' }],
      roles: [{ roleType: 'primary', role: 'student', orgSourcedId: 'moodle-site' }],
    });
    expect(users.find((u) => u.sourcedId === '103')!.userIds).to.deep.equal([]); // no idnumber in Moodle
    // Teacher of physics and student of the olympiad course: teacher first.
    expect(users.find((u) => u.sourcedId === '11')!.roles).to.deep.equal([
      { roleType: 'primary', role: 'teacher', orgSourcedId: 'moodle-site' },
      { roleType: 'secondary', role: 'student', orgSourcedId: 'moodle-site' },
    ]);
    expect(users.some((u) => u.sourcedId === '20')).to.equal(false); // the manager is not a class member

    const enrollments = records.enrollments!;
    expect(enrollments).to.have.length(67);
    expect(enrollments.find((e) => e.sourcedId === '5:11:teacher')).to.deep.include({
      classSourcedId: '5',
      userSourcedId: '11',
      role: 'teacher',
      schoolSourcedId: 'moodle-site',
    });
    expect(enrollments.find((e) => e.sourcedId === '6:11:student')).to.not.equal(undefined);
  });

  it('pages through more enrolled users than the site serves per call', async () => {
    const seed: MoodleDoubleSeed = {
      courses: [{ id: 2, shortname: 'МАТ-ПОТОК', fullname: 'Математика: поток 8 классов' }],
      users: Array.from({ length: 250 }, (_, n) => sampleStudent(n)),
      enrolments: Array.from({ length: 250 }, (_, n) => ({ courseid: 2, userid: 100 + n, roleid: 5 })),
      tokens: [{ token: sampleTokens.full }],
      maxLimitNumber: 100,
    };
    c = await connect(seed, sampleTokens.full); // asks for 200 per call, gets 100
    const { records, pageCounts } = await collect(c.session.pullRoster!({ signal: signal(), pageSize: 50 }));
    expect(records.users).to.have.length(250);
    expect(records.enrollments).to.have.length(250);
    expect(pageCounts.users).to.equal(5);
    const calls = callsOf(c.double, 'core_enrol_get_enrolled_users').map((x) => x.params);
    expect(calls).to.deep.equal(
      [0, 100, 200].map((from) => ({
        courseid: '2',
        options: { 0: { name: 'limitfrom', value: String(from) }, 1: { name: 'limitnumber', value: '200' } },
      })),
    );
  });

  it('with a page size below the cap, stops at the first short page', async () => {
    const seed: MoodleDoubleSeed = {
      courses: [{ id: 2, shortname: 'А', fullname: 'Алгебра' }],
      users: Array.from({ length: 95 }, (_, n) => sampleStudent(n)),
      enrolments: Array.from({ length: 95 }, (_, n) => ({ courseid: 2, userid: 100 + n, roleid: 5 })),
      tokens: [{ token: sampleTokens.full }],
    };
    c = await connect(seed, sampleTokens.full, { pageSize: 40 });
    const { records } = await collect(c.session.pullRoster!({ signal: signal() }));
    expect(records.users).to.have.length(95);
    expect(callsOf(c.double, 'core_enrol_get_enrolled_users')).to.have.length(3); // 40, 40, 15
  });

  it('rejects bad Moodle records with reasons instead of failing the pull', async () => {
    const seed = sampleMoodleSeed();
    seed.users.find((u) => u.id === 104)!.firstname = '   ';
    seed.courses.push({ id: 7, shortname: 'ПУСТО', fullname: '' });
    seed.enrolments!.push({ courseid: 7, userid: 100, roleid: 5 });
    c = await connect(seed, sampleTokens.full);
    const { records, rejected } = await collect(c.session.pullRoster!({ signal: signal() }));
    expect(rejected.courses).to.deep.equal([
      {
        entity: 'courses',
        sourcedId: '7',
        reason: 'title: Too small: expected string to have >=1 characters',
      },
    ]);
    expect(rejected.classes![0]).to.include({ sourcedId: '7', reason: 'its course record was rejected' });
    expect(rejected.users![0]).to.include({ entity: 'users', sourcedId: '104' });
    expect(records.users!.some((u) => u.sourcedId === '104')).to.equal(false);
    expect(rejected.enrollments!.map((r) => r.sourcedId)).to.include('2:104:student');
    expect(records.enrollments!.some((e) => e.classSourcedId === '7')).to.equal(false);
  });
});
