import { type EntityType, oneRosterRoles } from '@mathnet/lms-sdk';
import type { RowReader } from './row-reader';

/** A copy without undefined properties, so records carry only what the file said (no `delete`: it slows objects down). */
export function compact<T extends object>(record: T): T {
  const out: Record<string, unknown> = {};
  for (const key in record) {
    const value = record[key];
    if (value !== undefined) out[key] = value;
  }
  return out as T;
}

/** A raw record: the base columns, then the defined fields (built without object spread, which is slow in hot loops). */
export function entry(
  base: { sourcedId: string; status: string; dateLastModified?: string },
  fields: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { sourcedId: base.sourcedId, status: base.status };
  if (base.dateLastModified !== undefined) out.dateLastModified = base.dateLastModified;
  for (const key in fields) {
    const value = fields[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** How one OneRoster CSV file maps onto an sdk entity type. */
export interface FileSpec {
  /** File name without `.csv`, as in the manifest (`file.<name>`). */
  file: string;
  entity: EntityType;
  /** Columns the header must have (the spec's required fields). */
  requiredColumns: readonly string[];
  /** Reads one row into a raw record (validated afterwards with the sdk schema). */
  map(row: RowReader): Record<string, unknown>;
}

const orgTypes = ['department', 'school', 'district', 'local', 'state', 'national'] as const;
const sessionTypes = ['gradingPeriod', 'semester', 'schoolYear', 'term'] as const;
const classTypes = ['homeroom', 'scheduled'] as const;
const enrollmentRoles = [
  'administrator',
  'proctor',
  'student',
  'teacher',
  'aide',
  'guardian',
  'parent',
] as const;
const scoreStatuses = ['exempt', 'fully graded', 'not submitted', 'partially graded', 'submitted'] as const;

export const orgsFile: FileSpec = {
  file: 'orgs',
  entity: 'orgs',
  requiredColumns: ['sourcedId', 'name', 'type'],
  map: (r) =>
    entry(r.base(), {
      name: r.req('name'),
      type: r.oneOf('type', orgTypes, true),
      identifier: r.opt('identifier'),
      parentSourcedId: r.opt('parentSourcedId'),
    }),
};

export const academicSessionsFile: FileSpec = {
  file: 'academicSessions',
  entity: 'academicSessions',
  requiredColumns: ['sourcedId', 'title', 'type', 'startDate', 'endDate', 'schoolYear'],
  map: (r) => {
    const schoolYear = r.req('schoolYear');
    if (schoolYear && !/^\d{4}$/.test(schoolYear))
      r.problems.push(`schoolYear: "${schoolYear}" is not a year (YYYY)`);
    return entry(r.base(), {
      title: r.req('title'),
      type: r.oneOf('type', sessionTypes, true),
      startDate: r.date('startDate', true),
      endDate: r.date('endDate', true),
      parentSourcedId: r.opt('parentSourcedId'),
      schoolYear,
    });
  },
};

export const coursesFile: FileSpec = {
  file: 'courses',
  entity: 'courses',
  requiredColumns: ['sourcedId', 'title', 'orgSourcedId'],
  map: (r) =>
    entry(r.base(), {
      title: r.req('title'),
      courseCode: r.opt('courseCode'),
      grades: r.list('grades'),
      subjects: r.list('subjects'),
      orgSourcedId: r.req('orgSourcedId'),
      schoolYearSourcedId: r.opt('schoolYearSourcedId'),
    }),
};

export const classesFile: FileSpec = {
  file: 'classes',
  entity: 'classes',
  requiredColumns: [
    'sourcedId',
    'title',
    'courseSourcedId',
    'classType',
    'schoolSourcedId',
    'termSourcedIds',
  ],
  map: (r) =>
    entry(r.base(), {
      title: r.req('title'),
      classCode: r.opt('classCode'),
      classType: r.oneOf('classType', classTypes, true),
      location: r.opt('location'),
      grades: r.list('grades'),
      subjects: r.list('subjects'),
      courseSourcedId: r.req('courseSourcedId'),
      schoolSourcedId: r.req('schoolSourcedId'),
      termSourcedIds: r.list('termSourcedIds', true),
    }),
};

/** OneRoster 1.2 role vocabulary, and what the network's role model makes of each. */
const roleMapping: Record<string, (typeof oneRosterRoles)[number] | null> = {
  ...Object.fromEntries(oneRosterRoles.map((role) => [role, role])),
  // A principal leads a school: the network's site administrator.
  principal: 'siteAdministrator',
  // Valid in OneRoster 1.2 but the network has no such role.
  counselor: null,
};

/** Maps a OneRoster role onto the sdk's; a string is why it cannot be used. */
export function mapRole(role: string): (typeof oneRosterRoles)[number] | { reason: string } {
  const mapped = roleMapping[role];
  if (mapped) return mapped;
  if (mapped === null)
    return { reason: `role "${role}" is not supported by the network (no equivalent role)` };
  return { reason: `unknown role "${role}" (expected one of ${Object.keys(roleMapping).join(', ')})` };
}

/** A user role read from roles.csv (1.2) or users.csv (1.1). */
export interface RoleRow {
  sourcedId: string;
  status: 'active' | 'tobedeleted';
  userSourcedId: string;
  role: {
    roleType: 'primary' | 'secondary';
    role: string;
    orgSourcedId: string;
    beginDate?: string;
    endDate?: string;
  };
}

export const rolesColumns = ['sourcedId', 'userSourcedId', 'roleType', 'role', 'orgSourcedId'] as const;

/** Reads one roles.csv row. */
export function mapRoleRow(r: RowReader): RoleRow {
  const { sourcedId, status } = r.base();
  const userSourcedId = r.req('userSourcedId');
  const roleType = r.oneOf('roleType', ['primary', 'secondary'] as const, true) ?? 'primary';
  const roleValue = r.req('role');
  let role = roleValue;
  if (roleValue) {
    const mapped = mapRole(roleValue);
    if (typeof mapped === 'string') role = mapped;
    else r.problems.push(mapped.reason);
  }
  return {
    sourcedId,
    status,
    userSourcedId,
    role: compact({
      roleType,
      role,
      orgSourcedId: r.req('orgSourcedId'),
      beginDate: r.date('beginDate'),
      endDate: r.date('endDate'),
    }),
  };
}

const USER_ID = /^\{([^:}]+):([^}]+)\}$/;

/** users.csv `userIds`: `{type:identifier}` items, comma-separated. */
function readUserIds(r: RowReader): { type: string; identifier: string }[] {
  const raw = r.opt('userIds');
  if (!raw) return [];
  const items = raw.match(/\{[^}]*\}|[^,{}\s][^,]*/g) ?? [];
  const ids: { type: string; identifier: string }[] = [];
  for (const item of items) {
    const m = USER_ID.exec(item.trim());
    if (m?.[1] && m[2]) ids.push({ type: m[1].trim(), identifier: m[2].trim() });
    else r.problems.push(`userIds: "${item.trim()}" is not {type:identifier}`);
  }
  return ids;
}

/** users.csv without roles (they are joined from roles.csv) and without birthDate (from demographics.csv). */
export const usersFile: FileSpec = {
  file: 'users',
  entity: 'users',
  requiredColumns: ['sourcedId', 'enabledUser', 'username', 'givenName', 'familyName'],
  map: (r) =>
    entry(r.base(), {
      enabledUser: r.bool('enabledUser', true),
      username: r.req('username'),
      userIds: readUserIds(r),
      givenName: r.req('givenName'),
      familyName: r.req('familyName'),
      middleName: r.opt('middleName'),
      email: r.opt('email'),
      phone: r.opt('phone') ?? r.opt('sms'),
      agentSourcedIds: r.list('agentSourcedIds'),
      grades: r.list('grades'),
    }),
};

export const enrollmentsFile: FileSpec = {
  file: 'enrollments',
  entity: 'enrollments',
  requiredColumns: ['sourcedId', 'classSourcedId', 'schoolSourcedId', 'userSourcedId', 'role'],
  map: (r) =>
    entry(r.base(), {
      classSourcedId: r.req('classSourcedId'),
      schoolSourcedId: r.req('schoolSourcedId'),
      userSourcedId: r.req('userSourcedId'),
      role: r.oneOf('role', enrollmentRoles, true),
      primary: r.bool('primary'),
      beginDate: r.date('beginDate'),
      endDate: r.date('endDate'),
    }),
};

export const lineItemsFile: FileSpec = {
  file: 'lineItems',
  entity: 'lineItems',
  requiredColumns: ['sourcedId', 'title', 'classSourcedId'],
  map: (r) =>
    entry(r.base(), {
      title: r.req('title'),
      description: r.opt('description'),
      assignDate: r.dateTime('assignDate', false, true),
      dueDate: r.dateTime('dueDate', false, true),
      classSourcedId: r.req('classSourcedId'),
      resultValueMin: r.number('resultValueMin'),
      resultValueMax: r.number('resultValueMax'),
    }),
};

export const resultsFile: FileSpec = {
  file: 'results',
  entity: 'results',
  requiredColumns: ['sourcedId', 'lineItemSourcedId', 'studentSourcedId', 'scoreStatus'],
  map: (r) =>
    entry(r.base(), {
      lineItemSourcedId: r.req('lineItemSourcedId'),
      studentSourcedId: r.req('studentSourcedId'),
      score: r.number('score'),
      scoreStatus: r.oneOf('scoreStatus', scoreStatuses, true),
      scoreDate: r.dateTime('scoreDate', false, true),
      comment: r.opt('comment'),
    }),
};

/** Every entity file, by file name. */
export const fileSpecs = {
  orgs: orgsFile,
  academicSessions: academicSessionsFile,
  courses: coursesFile,
  classes: classesFile,
  users: usersFile,
  enrollments: enrollmentsFile,
  lineItems: lineItemsFile,
  results: resultsFile,
} as const satisfies Record<EntityType, FileSpec>;
