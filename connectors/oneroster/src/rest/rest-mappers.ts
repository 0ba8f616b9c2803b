import type { EntityType } from '@mathnet/lms-sdk';
import { compact, mapRole } from '../csv/file-specs';

type Json = Record<string, unknown>;

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** A GUIDRef (`{ href, sourcedId, type }`) → its sourcedId. */
function ref(value: unknown): string | undefined {
  return value && typeof value === 'object' ? str((value as Json).sourcedId) : undefined;
}

function refs(value: unknown): string[] {
  return Array.isArray(value) ? value.map(ref).filter((v): v is string => v !== undefined) : [];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(str).filter((v): v is string => v !== undefined) : [];
}

/** 1.2 sends booleans as the strings "true"/"false" (TrueFalseEnum); some services send JSON booleans. */
function bool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/** A date field; services that send a dateTime for it get its date part. */
function date(value: unknown): string | undefined {
  const s = str(value);
  return s && /^\d{4}-\d{2}-\d{2}T/.test(s) ? s.slice(0, 10) : s;
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

function base(item: Json) {
  return {
    sourcedId: str(item.sourcedId),
    status: str(item.status),
    dateLastModified: str(item.dateLastModified),
  };
}

/** Maps one JSON object of the REST binding to a raw record; `problems` collects what cannot be mapped. */
export type RestMapper = (item: Json, problems: string[]) => Record<string, unknown>;

/** The user's usable roles; roles the network cannot use are left out, and reported only when none is left. */
function mapUserRoles(item: Json, problems: string[]): unknown[] {
  const roles: unknown[] = [];
  const dropped: string[] = [];
  for (const raw of Array.isArray(item.roles) ? (item.roles as Json[]) : []) {
    const value = str(raw?.role);
    const mapped = value ? mapRole(value) : { reason: 'a role without role' };
    if (typeof mapped !== 'string') {
      dropped.push(mapped.reason);
      continue;
    }
    roles.push(
      compact({
        roleType: str(raw.roleType),
        role: mapped,
        orgSourcedId: ref(raw.org),
        beginDate: date(raw.beginDate),
        endDate: date(raw.endDate),
      }),
    );
  }
  if (roles.length === 0 && dropped.length > 0) problems.push(`no usable role: ${dropped.join('; ')}`);
  return roles;
}

/** REST JSON → sdk raw records, per entity type (validated afterwards with the sdk schemas). */
export const restMappers: Record<EntityType, RestMapper> = {
  orgs: (o) =>
    compact({
      ...base(o),
      name: str(o.name),
      type: str(o.type),
      identifier: str(o.identifier),
      parentSourcedId: ref(o.parent),
    }),
  academicSessions: (s) =>
    compact({
      ...base(s),
      title: str(s.title),
      type: str(s.type),
      startDate: date(s.startDate),
      endDate: date(s.endDate),
      parentSourcedId: ref(s.parent),
      schoolYear: str(s.schoolYear),
    }),
  courses: (c) =>
    compact({
      ...base(c),
      title: str(c.title),
      courseCode: str(c.courseCode),
      grades: strings(c.grades),
      subjects: strings(c.subjects),
      orgSourcedId: ref(c.org),
      schoolYearSourcedId: ref(c.schoolYear),
    }),
  classes: (c) =>
    compact({
      ...base(c),
      title: str(c.title),
      classCode: str(c.classCode),
      classType: str(c.classType),
      location: str(c.location),
      grades: strings(c.grades),
      subjects: strings(c.subjects),
      courseSourcedId: ref(c.course),
      schoolSourcedId: ref(c.school),
      termSourcedIds: refs(c.terms),
    }),
  users: (u, problems) => {
    const userIds = Array.isArray(u.userIds)
      ? (u.userIds as Json[]).map((id) => ({ type: str(id?.type), identifier: str(id?.identifier) }))
      : [];
    return compact({
      ...base(u),
      enabledUser: bool(u.enabledUser),
      username: str(u.username),
      userIds,
      givenName: str(u.givenName),
      familyName: str(u.familyName),
      middleName: str(u.middleName),
      roles: mapUserRoles(u, problems),
      email: str(u.email),
      phone: str(u.phone) ?? str(u.sms),
      agentSourcedIds: refs(u.agents),
      grades: strings(u.grades),
    });
  },
  enrollments: (e) =>
    compact({
      ...base(e),
      classSourcedId: ref(e.class),
      schoolSourcedId: ref(e.school),
      userSourcedId: ref(e.user),
      role: str(e.role),
      primary: bool(e.primary),
      beginDate: date(e.beginDate),
      endDate: date(e.endDate),
    }),
  lineItems: (l) =>
    compact({
      ...base(l),
      title: str(l.title),
      description: str(l.description),
      assignDate: str(l.assignDate),
      dueDate: str(l.dueDate),
      classSourcedId: ref(l.class),
      resultValueMin: num(l.resultValueMin),
      resultValueMax: num(l.resultValueMax),
    }),
  results: (r) =>
    compact({
      ...base(r),
      lineItemSourcedId: ref(r.lineItem),
      studentSourcedId: ref(r.student),
      score: num(r.score),
      scoreStatus: str(r.scoreStatus),
      scoreDate: str(r.scoreDate),
      comment: str(r.comment),
    }),
};
