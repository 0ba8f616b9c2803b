import type { Enrollment, User } from '@mathnet/lms-sdk';
import { expect } from 'chai';
import {
  buildOneRosterZip,
  csvRows,
  generateDistrict,
  oneRosterHeaders,
  oneRosterManifest,
  roleRows,
  toCsv,
} from '../test-double/index';
import { bytes, collect, csvSession } from './helpers';

const district = generateDistrict({
  students: 20,
  teachers: 2,
  classes: 2,
  enrollments: 30,
  sessions: 2,
  courses: 1,
  seed: 5,
});
const users = [...district.records('users')] as User[];
const changed = '2026-02-01T10:00:00.000Z';

/** A delta archive: student 1 leaves, student 2 is renamed, one new enrollment. */
async function deltaZip(options: { withRoles?: boolean } = {}) {
  const leaving: User = { ...(users[0] as User), status: 'tobedeleted', dateLastModified: changed };
  const renamed: User = {
    ...(users[1] as User),
    familyName: 'Ковалёва, урожд. "Соколова"',
    dateLastModified: changed,
  };
  const enrollment: Enrollment = {
    sourcedId: 'enr-new-1',
    status: 'active',
    dateLastModified: changed,
    classSourcedId: 'cls-02',
    schoolSourcedId: 'org-school-01',
    userSourcedId: renamed.sourcedId,
    role: 'student',
    primary: false,
    beginDate: '2026-02-01',
  };
  const roles = options.withRoles === false ? [] : [...roleRows(leaving, true), ...roleRows(renamed, true)];
  return buildOneRosterZip({
    manifest: oneRosterManifest({ users: 'delta', roles: 'delta', enrollments: 'delta' }),
    files: {
      'users.csv': toCsv(oneRosterHeaders.users, [
        csvRows.users(leaving, true),
        csvRows.users(renamed, true),
      ]),
      'roles.csv': toCsv(oneRosterHeaders.roles, roles),
      'enrollments.csv': toCsv(oneRosterHeaders.enrollments, [csvRows.enrollments(enrollment, true)]),
    },
  });
}

describe('OneRoster CSV: delta archives', () => {
  it('yields exactly the changed records in delta pages: one deletion, one rename, one new enrollment', async () => {
    const pulled = await collect(
      csvSession().pullRoster?.({ signal: new AbortController().signal, source: bytes(await deltaZip()) }),
    );
    expect(pulled.rejected).to.deep.equal([]);
    expect(pulled.pages.map((p) => [p.entity, p.mode, p.records.length])).to.deep.equal([
      ['users', 'delta', 2],
      ['enrollments', 'delta', 1],
    ]);
    const [leaving, renamed] = pulled.records.users as User[];
    expect(leaving).to.deep.include({
      sourcedId: 'stu-01',
      status: 'tobedeleted',
      dateLastModified: changed,
    });
    expect(leaving?.roles).to.deep.equal([
      { roleType: 'primary', role: 'student', orgSourcedId: 'org-school-01' },
    ]);
    expect(renamed).to.deep.include({
      sourcedId: 'stu-02',
      status: 'active',
      familyName: 'Ковалёва, урожд. "Соколова"',
      givenName: users[1]?.givenName,
      dateLastModified: changed,
    });
    expect(pulled.records.enrollments?.[0]).to.deep.include({
      sourcedId: 'enr-new-1',
      status: 'active',
      userSourcedId: 'stu-02',
      classSourcedId: 'cls-02',
    });
  });

  it('delta rows must carry status and dateLastModified', async () => {
    const zip = await buildOneRosterZip({
      manifest: oneRosterManifest({ orgs: 'delta' }),
      files: {
        'orgs.csv': toCsv(oneRosterHeaders.orgs, [
          ['org-a', 'active', changed, 'Школа А', 'school'],
          ['org-b', '', '', 'Школа Б', 'school'],
          ['org-c', 'deleted', changed, 'Школа В', 'school'],
        ]),
      },
    });
    const pulled = await collect(
      csvSession().pullRoster?.({ signal: new AbortController().signal, source: bytes(zip) }),
    );
    expect(pulled.records.orgs?.map((o) => o.sourcedId)).to.deep.equal(['org-a']);
    expect(pulled.rejected).to.deep.equal([
      {
        entity: 'orgs',
        file: 'orgs.csv',
        line: 3,
        sourcedId: 'org-b',
        reason: 'missing required value: status; missing required value: dateLastModified',
      },
      {
        entity: 'orgs',
        file: 'orgs.csv',
        line: 4,
        sourcedId: 'org-c',
        reason: 'status: unknown value "deleted" (expected one of active, tobedeleted)',
      },
    ]);
  });

  it('a delta user without a roles.csv row is rejected (the sdk needs at least one role per user)', async () => {
    const pulled = await collect(
      csvSession().pullRoster?.({
        signal: new AbortController().signal,
        source: bytes(await deltaZip({ withRoles: false })),
      }),
    );
    expect(pulled.records.users ?? []).to.deep.equal([]);
    expect(pulled.rejected.map((r) => [r.sourcedId, r.file, r.line, r.reason])).to.deep.equal([
      ['stu-01', 'users.csv', 2, 'no role: roles.csv has no row for this user'],
      ['stu-02', 'users.csv', 3, 'no role: roles.csv has no row for this user'],
    ]);
  });
});
