import type { User } from '@mathnet/lms-sdk';
import { expect } from 'chai';
import { buildEnrollment, buildPerson, fingerprintOf, gradeOf } from './fact-builder';

const user = (extra: Partial<User> = {}): User => ({
  sourcedId: 'u1',
  status: 'active',
  enabledUser: true,
  userIds: [],
  givenName: 'Анна',
  familyName: 'Иванова',
  roles: [{ roleType: 'primary', role: 'student', orgSourcedId: 's1' }],
  agentSourcedIds: [],
  grades: ['10'],
  ...extra,
});

describe('fact builder', () => {
  it('maps a student with grade, and fingerprints ignore the id', () => {
    const built = buildPerson(user(), 'id-1', () => undefined);
    expect('fact' in built && built.fact.roles).to.deep.equal([
      { role: 'student', grade: 10, classLetter: null, studentId: null },
    ]);
    const again = buildPerson(user(), 'id-2', () => undefined);
    expect(
      'fact' in built && 'fact' in again && fingerprintOf(built.fact) === fingerprintOf(again.fact),
    ).to.equal(true);
  });
  it('never turns LMS administrators into network coordinators', () => {
    const built = buildPerson(
      user({ roles: [{ roleType: 'primary', role: 'administrator', orgSourcedId: 's1' }] }),
      'id',
      () => undefined,
    );
    expect(built)
      .to.have.property('rejected')
      .that.matches(/administrator/);
  });
  it('links parents to known children only', () => {
    const parent = user({
      roles: [{ roleType: 'primary', role: 'guardian', orgSourcedId: 's1' }],
      agentSourcedIds: ['kid', 'ghost'],
    });
    const built = buildPerson(parent, 'p', (s) => (s === 'kid' ? 'child-id' : undefined));
    expect('fact' in built && built.fact.roles).to.deep.equal([
      { role: 'parent', grade: null, classLetter: null, studentId: 'child-id' },
    ]);
  });
  it('deactivates tobedeleted and disabled users', () => {
    const built = buildPerson(user({ status: 'tobedeleted' }), 'id', () => undefined);
    expect('fact' in built && built.fact.active).to.equal(false);
  });
  it('rejects enrolments of unknown users or classes with the reason', () => {
    const e = {
      sourcedId: 'e',
      status: 'active' as const,
      classSourcedId: 'c',
      schoolSourcedId: 's',
      userSourcedId: 'u',
      role: 'student' as const,
    };
    expect(buildEnrollment(e, 'id', undefined, 'p')).to.deep.equal({
      rejected: 'enrolment in an unknown class c',
    });
    expect(buildEnrollment(e, 'id', 'o', undefined)).to.deep.equal({
      rejected: 'enrolment of an unknown user u',
    });
  });
  it('reads grades 1-11 only', () => {
    expect(gradeOf(['KG', '10'])).to.equal(10);
    expect(gradeOf(['13'])).to.equal(null);
  });
});
