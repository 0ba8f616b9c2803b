import { InvalidDataError, type User } from '@mathnet/lms-sdk';
import { expect } from 'chai';
import { buildOneRosterZip, oneRosterHeaders, oneRosterManifest, toCsv } from '../test-double/index';
import { bytes, collect, csvSession, rejectionOf } from './helpers';

const day = '2026-01-10T00:00:00Z';

const orgs = toCsv(oneRosterHeaders.orgs, [
  ['org-d', '', '', 'Управление образования', 'district'],
  ['org-s', '', '', 'Школа № 5, "Гимназия"', 'school', '', 'org-d'],
  ['org-x', '', '', 'Неизвестно', 'university'],
]);

const users = toCsv(oneRosterHeaders.users, [
  // line 2: fine
  ['u-1', '', '', 'true', 'ivanov', '{SIS:1},{LDAP:ivanov}', 'Иван', 'Иванов', 'Петрович'],
  // line 3: no family name
  ['u-2', '', '', 'true', 'petrova', '', 'Мария', ''],
  // line 4-5: a quoted value with a line break, fine
  ['u-3', '', '', 'false', 'sidorov', '', 'Сидор', 'Сидоров', 'Иванович\n(второе имя)'],
  // line 6: enabledUser is not a boolean, bad userIds
  ['u-4', '', '', 'yes', 'kozlov', 'SIS-4', 'Пётр', 'Козлов'],
  // line 7: its only role is unknown
  ['u-5', '', '', 'true', 'orlova', '', 'Анна', 'Орлова'],
  // line 8: role "principal" (1.2) becomes siteAdministrator
  ['u-6', '', '', 'true', 'director', '', 'Ольга', 'Директорова'],
]);

const roles = toCsv(oneRosterHeaders.roles, [
  ['r-1', '', '', 'u-1', 'primary', 'teacher', '2025-09-01', '', 'org-s'],
  ['r-2', '', '', 'u-2', 'primary', 'student', '', '', 'org-s'],
  ['r-3', '', '', 'u-3', 'primary', 'student', '', '', 'org-s'],
  ['r-4', '', '', 'u-4', 'primary', 'student', '', '', 'org-s'],
  ['r-5', '', '', 'u-5', 'primary', 'wizard', '', '', 'org-s'],
  ['r-6', '', '', 'u-6', 'primary', 'principal', '', '', 'org-s'],
  ['r-7', '', '', 'u-1', 'secondary', 'parent', '2025-02-30', '', 'org-s'],
  ['r-8', '', '', 'u-99', 'primary', 'student', '', '', 'org-s'],
]);

const enrollments = toCsv(oneRosterHeaders.enrollments, [
  ['e-1', '', '', 'c-1', 'org-s', 'u-1', 'teacher', 'true', '2025-09-01'],
  ['e-2', '', '', 'c-1', 'org-s', 'u-3', 'student', '', '2025-13-45'],
  ['e-3', '', '', 'c-1', 'org-s', 'u-3', 'pupil'],
  ['e-1', '', '', 'c-1', 'org-s', 'u-6', 'teacher'],
  ['e-4', '', '', '', 'org-s', 'u-6', 'teacher'],
]);

async function brokenZip() {
  return buildOneRosterZip({
    files: {
      'orgs.csv': orgs,
      'users.csv': users,
      'roles.csv': roles,
      'enrollments.csv': enrollments,
    },
  });
}

describe('OneRoster CSV: strict validation', () => {
  it('rejects broken rows with file, line and reason, and lets the good rows through', async () => {
    const pulled = await collect(
      csvSession().pullRoster?.({ signal: new AbortController().signal, source: bytes(await brokenZip()) }),
    );
    expect(pulled.records.orgs?.map((o) => o.sourcedId)).to.deep.equal(['org-d', 'org-s']);
    const usersOut = pulled.records.users as User[];
    expect(usersOut.map((u) => u.sourcedId)).to.deep.equal(['u-1', 'u-3', 'u-6']);
    expect(usersOut[0]?.userIds).to.deep.equal([
      { type: 'SIS', identifier: '1' },
      { type: 'LDAP', identifier: 'ivanov' },
    ]);
    expect(usersOut[0]?.roles).to.deep.equal([
      { roleType: 'primary', role: 'teacher', orgSourcedId: 'org-s', beginDate: '2025-09-01' },
    ]);
    expect(usersOut[1]).to.deep.include({ enabledUser: false, middleName: 'Иванович\n(второе имя)' });
    expect(usersOut[2]?.roles[0]?.role).to.equal('siteAdministrator');
    expect(pulled.records.enrollments?.map((e) => e.sourcedId)).to.deep.equal(['e-1']);

    const where = pulled.rejected.map(
      (r) => `${r.file}:${r.line} ${r.entity} ${r.sourcedId ?? '-'}: ${r.reason}`,
    );
    expect(where).to.deep.equal([
      'orgs.csv:4 orgs org-x: type: unknown value "university" (expected one of department, school, district, local, state, national)',
      'roles.csv:6 users u-5: role r-5: unknown role "wizard" (expected one of administrator, aide, guardian, parent, proctor, relative, student, teacher, districtAdministrator, siteAdministrator, systemAdministrator, principal, counselor)',
      'roles.csv:8 users u-1: role r-7: beginDate: "2025-02-30" is not a date (YYYY-MM-DD)',
      'users.csv:3 users u-2: missing required value: familyName',
      'users.csv:6 users u-4: enabledUser: "yes" is not true or false; userIds: "SIS-4" is not {type:identifier}',
      'users.csv:7 users u-5: no usable role: its roles.csv rows were rejected',
      'roles.csv:9 users u-99: role r-8 is for user u-99, who is not in users.csv',
      'enrollments.csv:3 enrollments e-2: beginDate: "2025-13-45" is not a date (YYYY-MM-DD)',
      'enrollments.csv:4 enrollments e-3: role: unknown value "pupil" (expected one of administrator, proctor, student, teacher, aide, guardian, parent)',
      'enrollments.csv:5 enrollments e-1: sourcedId e-1 appears twice in enrollments.csv',
      'enrollments.csv:6 enrollments e-4: missing required value: classSourcedId',
    ]);
  });

  it('rejects rows the CSV parser cannot read (wrong number of fields) and goes on', async () => {
    const text = `${oneRosterHeaders.orgs.join(',')}\norg-1,,,Школа 1,school,,\norg-2,,,"Школа 2",school,,,,extra\norg-3,,,Школа 3,school,,\n`;
    const zip = await buildOneRosterZip({ files: { 'orgs.csv': text } });
    const pulled = await collect(
      csvSession().pullRoster?.({ signal: new AbortController().signal, source: bytes(zip) }),
    );
    expect(pulled.records.orgs?.map((o) => o.sourcedId)).to.deep.equal(['org-1', 'org-3']);
    expect(pulled.rejected).to.have.length(1);
    expect(pulled.rejected[0]).to.deep.include({ entity: 'orgs', file: 'orgs.csv', line: 3 });
    expect(pulled.rejected[0]?.reason).to.match(/Invalid Record Length/);
  });

  describe('an invalid archive is refused as a whole, before any page', () => {
    const firstPage = async (data: Uint8Array) => {
      const iterator = csvSession()
        .pullRoster?.({ signal: new AbortController().signal, source: bytes(data) })
        [Symbol.asyncIterator]();
      return rejectionOf(iterator?.next() ?? Promise.resolve());
    };

    it('without manifest.csv', async () => {
      const error = await firstPage(
        await buildOneRosterZip({ manifest: false, files: { 'orgs.csv': orgs } }),
      );
      expect(error).to.be.instanceOf(InvalidDataError);
      expect(error.message).to.match(/manifest\.csv.*has no manifest\.csv/);
    });

    it('when a file listed as bulk or delta is missing from the zip', async () => {
      const zip = await buildOneRosterZip({
        manifest: oneRosterManifest({ orgs: 'bulk', users: 'bulk', roles: 'bulk', classes: 'delta' }),
        files: { 'orgs.csv': orgs, 'users.csv': users, 'roles.csv': roles },
      });
      const error = await firstPage(zip);
      expect(error).to.be.instanceOf(InvalidDataError);
      expect(error.message).to.contain(
        'the manifest lists classes.csv (delta) but the archive does not hold it',
      );
    });

    it('when a header lacks a required column', async () => {
      const zip = await buildOneRosterZip({
        files: {
          'orgs.csv': toCsv(['sourcedId', 'status', 'dateLastModified', 'name'], [['o', '', '', 'Школа']]),
        },
      });
      const error = await firstPage(zip);
      expect(error).to.be.instanceOf(InvalidDataError);
      expect(error.message).to.equal('orgs (orgs.csv:1): the header lacks required column type');
    });

    it('when users are bulk but there are no roles', async () => {
      const zip = await buildOneRosterZip({ files: { 'users.csv': users } });
      const error = await firstPage(zip);
      expect(error).to.be.instanceOf(InvalidDataError);
      expect(error.message).to.contain('no roles');
    });

    it('when the manifest has a wrong version or mode', async () => {
      const wrongVersion = await buildOneRosterZip({
        manifest: { ...oneRosterManifest({ orgs: 'bulk' }), 'oneroster.version': '2.0' },
        files: { 'orgs.csv': orgs },
      });
      expect((await firstPage(wrongVersion)).message).to.contain('oneroster.version is "2.0"');
      const wrongMode = await buildOneRosterZip({
        manifest: { ...oneRosterManifest({}), 'file.orgs': 'full' },
        files: { 'orgs.csv': orgs },
      });
      expect((await firstPage(wrongMode)).message).to.contain(
        'file.orgs is "full"; expected bulk, delta or absent',
      );
    });

    it('when the bytes are not a zip', async () => {
      const error = await firstPage(new TextEncoder().encode('sourcedId,name\n1,2\n'));
      expect(error).to.be.instanceOf(InvalidDataError);
      expect(error.message).to.contain('not a readable zip archive');
    });
  });

  it('files marked absent yield nothing even when present in the zip', async () => {
    const zip = await buildOneRosterZip({
      manifest: oneRosterManifest({ orgs: 'absent', users: 'bulk', roles: 'bulk' }),
      files: { 'orgs.csv': orgs, 'users.csv': users, 'roles.csv': roles },
    });
    const pulled = await collect(
      csvSession().pullRoster?.({ signal: new AbortController().signal, source: bytes(zip) }),
    );
    expect(Object.keys(pulled.records)).to.deep.equal(['users']);
  });

  it('reads a OneRoster 1.1 archive (role and orgSourcedIds in users.csv)', async () => {
    const header = [
      'sourcedId',
      'status',
      'dateLastModified',
      'enabledUser',
      'orgSourcedIds',
      'role',
      'username',
      'userIds',
      'givenName',
      'familyName',
    ];
    const zip = await buildOneRosterZip({
      manifest: { ...oneRosterManifest({ users: 'bulk' }), 'oneroster.version': '1.1' },
      files: {
        'users.csv': toCsv(header, [
          ['t-1', 'active', day, 'true', 'org-1,org-2', 'teacher', 'teacher1', '', 'Нина', 'Учителева'],
          ['t-2', 'active', day, 'true', 'org-1', 'principal', 'boss', '', 'Глеб', 'Главный'],
        ]),
      },
    });
    const pulled = await collect(
      csvSession().pullRoster?.({ signal: new AbortController().signal, source: bytes(zip) }),
    );
    expect(pulled.rejected).to.deep.equal([]);
    expect((pulled.records.users as User[]).map((u) => u.roles)).to.deep.equal([
      [
        { roleType: 'primary', role: 'teacher', orgSourcedId: 'org-1' },
        { roleType: 'secondary', role: 'teacher', orgSourcedId: 'org-2' },
      ],
      [{ roleType: 'primary', role: 'siteAdministrator', orgSourcedId: 'org-1' }],
    ]);
  });
});
