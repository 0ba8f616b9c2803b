import type {
  AcademicSession,
  Class,
  Course,
  Enrollment,
  LineItem,
  Org,
  Result,
  User,
} from '@mathnet/lms-sdk';
import { csvLine, type OneRosterFile, oneRosterHeaders } from './csv-text';
import type { District } from './district';

type Cell = string | number | boolean | undefined;

type Head = { sourcedId: string; status: string; dateLastModified?: string };
/** In bulk files status and dateLastModified stay empty (the spec's rule); delta files carry them. */
const st = (r: Head, delta: boolean) => (delta ? r.status : '');
const dl = (r: Head, delta: boolean) => (delta ? r.dateLastModified : '');

const list = (values: readonly string[] | undefined) => (values ?? []).join(',');

/** Entity record → CSV cells in the header's column order. */
export const csvRows = {
  orgs: (o: Org, d: boolean): Cell[] => [
    o.sourcedId,
    st(o, d),
    dl(o, d),
    o.name,
    o.type,
    o.identifier,
    o.parentSourcedId,
  ],
  academicSessions: (s: AcademicSession, d: boolean): Cell[] => [
    s.sourcedId,
    st(s, d),
    dl(s, d),
    s.title,
    s.type,
    s.startDate,
    s.endDate,
    s.parentSourcedId,
    s.schoolYear,
  ],
  courses: (c: Course, d: boolean): Cell[] => [
    c.sourcedId,
    st(c, d),
    dl(c, d),
    c.schoolYearSourcedId,
    c.title,
    c.courseCode,
    list(c.grades),
    c.orgSourcedId,
    list(c.subjects),
    '',
  ],
  classes: (c: Class, d: boolean): Cell[] => [
    c.sourcedId,
    st(c, d),
    dl(c, d),
    c.title,
    list(c.grades),
    c.courseSourcedId,
    c.classCode,
    c.classType,
    c.location,
    c.schoolSourcedId,
    list(c.termSourcedIds),
    list(c.subjects),
    '',
    '',
  ],
  users: (u: User, d: boolean): Cell[] => [
    u.sourcedId,
    st(u, d),
    dl(u, d),
    u.enabledUser ? 'true' : 'false',
    u.username,
    (u.userIds ?? []).map((id) => `{${id.type}:${id.identifier}}`).join(','),
    u.givenName,
    u.familyName,
    u.middleName,
    '',
    u.email,
    '',
    u.phone,
    list(u.agentSourcedIds),
    list(u.grades),
    '',
    '',
    '',
    '',
    '',
    '',
    u.roles[0]?.orgSourcedId,
    '',
  ],
  enrollments: (e: Enrollment, d: boolean): Cell[] => [
    e.sourcedId,
    st(e, d),
    dl(e, d),
    e.classSourcedId,
    e.schoolSourcedId,
    e.userSourcedId,
    e.role,
    e.primary === undefined ? '' : String(e.primary),
    e.beginDate,
    e.endDate,
  ],
  lineItems: (l: LineItem, d: boolean): Cell[] => [
    l.sourcedId,
    st(l, d),
    dl(l, d),
    l.title,
    l.description,
    l.assignDate,
    l.dueDate,
    l.classSourcedId,
    '',
    '',
    l.resultValueMin,
    l.resultValueMax,
  ],
  results: (r: Result, d: boolean): Cell[] => [
    r.sourcedId,
    st(r, d),
    dl(r, d),
    r.lineItemSourcedId,
    r.studentSourcedId,
    r.scoreStatus,
    r.score,
    r.scoreDate,
    r.comment,
  ],
};

/** roles.csv rows of one user (1.2 keeps roles out of users.csv). */
export function roleRows(u: User, delta: boolean): Cell[][] {
  return u.roles.map((role, i) => [
    `${u.sourcedId}-role-${i + 1}`,
    delta ? u.status : '',
    delta ? u.dateLastModified : '',
    u.sourcedId,
    role.roleType,
    role.role,
    role.beginDate,
    role.endDate,
    role.orgSourcedId,
    '',
  ]);
}

/** demographics.csv row of a user with a birth date. */
export function demographicsRow(u: User, delta: boolean): Cell[] | undefined {
  if (!u.birthDate) return undefined;
  return [u.sourcedId, delta ? u.status : '', delta ? u.dateLastModified : '', u.birthDate, ''];
}

/** The files of a district archive, in the order they are written. */
export const districtFiles: OneRosterFile[] = [
  'orgs',
  'academicSessions',
  'courses',
  'classes',
  'users',
  'roles',
  'demographics',
  'enrollments',
  'lineItems',
  'results',
];

/**
 * The lines of one file of a district (header first), batched into chunks of
 * about 64 KB so a zip stream gets few, large writes.
 */
export function* districtCsvChunks(district: District, file: OneRosterFile, eol = '\r\n'): Iterable<string> {
  let chunk = csvLine(oneRosterHeaders[file]) + eol;
  const push = (cells: Cell[]) => {
    chunk += csvLine(cells) + eol;
  };
  const entity = file === 'roles' || file === 'demographics' ? 'users' : file;
  for (const record of district.records(entity)) {
    if (file === 'roles') for (const row of roleRows(record as User, false)) push(row);
    else if (file === 'demographics') {
      const row = demographicsRow(record as User, false);
      if (row) push(row);
    } else push((csvRows[file] as (r: typeof record, d: boolean) => Cell[])(record, false));
    if (chunk.length > 65_536) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}
