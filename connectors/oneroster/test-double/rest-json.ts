import type { EntityOf, EntityType } from '@mathnet/lms-sdk';

type Json = Record<string, unknown>;

const ROSTERING = '/ims/oneroster/rostering/v1p2';
const GRADEBOOK = '/ims/oneroster/gradebook/v1p2';

/** A GUIDRef of the REST binding. */
function ref(
  collection: string,
  sourcedId: string | undefined,
  type: string,
  service = ROSTERING,
): Json | undefined {
  return sourcedId === undefined
    ? undefined
    : { href: `${service}/${collection}/${sourcedId}`, sourcedId, type };
}

function clean(json: Json): Json {
  for (const key of Object.keys(json)) if (json[key] === undefined) delete json[key];
  return json;
}

function head(r: { sourcedId: string; status: string; dateLastModified?: string }): Json {
  return {
    sourcedId: r.sourcedId,
    status: r.status,
    dateLastModified: r.dateLastModified ?? '2026-01-01T00:00:00.000Z',
  };
}

const truth = (b: boolean | undefined) => (b === undefined ? undefined : b ? 'true' : 'false');

/** sdk record → the JSON object of the OneRoster 1.2 REST binding (GUIDRefs, "true"/"false" strings). */
export const toRestJson: { [T in EntityType]: (record: EntityOf<T>) => Json } = {
  orgs: (o) =>
    clean({
      ...head(o),
      name: o.name,
      type: o.type,
      identifier: o.identifier,
      parent: ref('orgs', o.parentSourcedId, 'org'),
      children: [],
    }),
  academicSessions: (s) =>
    clean({
      ...head(s),
      title: s.title,
      startDate: s.startDate,
      endDate: s.endDate,
      type: s.type,
      parent: ref('academicSessions', s.parentSourcedId, 'academicSession'),
      children: [],
      schoolYear: s.schoolYear,
    }),
  courses: (c) =>
    clean({
      ...head(c),
      title: c.title,
      schoolYear: ref('academicSessions', c.schoolYearSourcedId, 'academicSession'),
      courseCode: c.courseCode,
      grades: c.grades,
      subjects: c.subjects,
      org: ref('orgs', c.orgSourcedId, 'org'),
      subjectCodes: [],
    }),
  classes: (c) =>
    clean({
      ...head(c),
      title: c.title,
      classCode: c.classCode,
      classType: c.classType,
      location: c.location,
      grades: c.grades,
      subjects: c.subjects,
      course: ref('courses', c.courseSourcedId, 'course'),
      school: ref('orgs', c.schoolSourcedId, 'org'),
      terms: c.termSourcedIds.map((id) => ref('academicSessions', id, 'academicSession')),
      subjectCodes: [],
      periods: [],
    }),
  users: (u) =>
    clean({
      ...head(u),
      username: u.username,
      userIds: u.userIds,
      enabledUser: truth(u.enabledUser),
      givenName: u.givenName,
      familyName: u.familyName,
      middleName: u.middleName,
      roles: u.roles.map((r) =>
        clean({
          roleType: r.roleType,
          role: r.role,
          org: ref('orgs', r.orgSourcedId, 'org'),
          beginDate: r.beginDate,
          endDate: r.endDate,
        }),
      ),
      primaryOrg: ref('orgs', u.roles[0]?.orgSourcedId, 'org'),
      email: u.email,
      phone: u.phone,
      agents: u.agentSourcedIds.map((id) => ref('users', id, 'user')),
      grades: u.grades,
      userProfiles: [],
    }),
  enrollments: (e) =>
    clean({
      ...head(e),
      user: ref('users', e.userSourcedId, 'user'),
      class: ref('classes', e.classSourcedId, 'class'),
      school: ref('orgs', e.schoolSourcedId, 'org'),
      role: e.role,
      primary: truth(e.primary),
      beginDate: e.beginDate,
      endDate: e.endDate,
    }),
  lineItems: (l) =>
    clean({
      ...head(l),
      title: l.title,
      description: l.description,
      assignDate: l.assignDate,
      dueDate: l.dueDate,
      class: ref('classes', l.classSourcedId, 'class'),
      resultValueMin: l.resultValueMin,
      resultValueMax: l.resultValueMax,
    }),
  results: (r) =>
    clean({
      ...head(r),
      lineItem: ref('lineItems', r.lineItemSourcedId, 'lineItem', GRADEBOOK),
      student: ref('users', r.studentSourcedId, 'user'),
      scoreStatus: r.scoreStatus,
      score: r.score,
      scoreDate: r.scoreDate,
      comment: r.comment,
    }),
};

/** Where each collection lives, and the singular key of a one-record answer. */
export const restCollections: Record<EntityType, { service: string; singular: string }> = {
  orgs: { service: ROSTERING, singular: 'org' },
  academicSessions: { service: ROSTERING, singular: 'academicSession' },
  courses: { service: ROSTERING, singular: 'course' },
  classes: { service: ROSTERING, singular: 'class' },
  users: { service: ROSTERING, singular: 'user' },
  enrollments: { service: ROSTERING, singular: 'enrollment' },
  lineItems: { service: GRADEBOOK, singular: 'lineItem' },
  results: { service: GRADEBOOK, singular: 'result' },
};
