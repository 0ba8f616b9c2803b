import { createHash, hash } from 'node:crypto';
import type { LmsClassFact, LmsEnrollmentFact, LmsPersonFact } from '@mathnet/contracts';
import type { Class, Enrollment, User } from '@mathnet/lms-sdk';

/*
 * Pure mapping from OneRoster-aligned LMS records to the network facts registry
 * and courses consume. No I/O: ids the bridge already knows are passed in.
 */

/** A stable fingerprint of a fact (without its id): equal fingerprints mean nothing to apply. */
export function fingerprintOf(fact: object): string {
  const { id: _id, ...rest } = fact as { id?: unknown };
  // The one-shot hash: same digest as createHash().update().digest(), without the Hash object.
  return hash('sha256', JSON.stringify(rest), 'base64url');
}

export function emailHashOf(email: string | undefined | null): string | null {
  return email ? createHash('sha256').update(email.trim().toLowerCase()).digest('hex') : null;
}

/** The first school grade 1-11 among OneRoster grade codes ("10", "11", "KG" …). */
export function gradeOf(grades: string[]): number | null {
  for (const g of grades) {
    const n = Number.parseInt(g, 10);
    if (Number.isInteger(n) && n >= 1 && n <= 11) return n;
  }
  return null;
}

const personRoles: Record<string, 'student' | 'teacher' | 'parent' | undefined> = {
  student: 'student',
  teacher: 'teacher',
  aide: 'teacher',
  proctor: 'teacher',
  parent: 'parent',
  guardian: 'parent',
  relative: 'parent',
};

export type BuiltPerson = { fact: LmsPersonFact } | { rejected: string };

/**
 * A person fact for an LMS user. LMS administrator roles are not turned into
 * network coordinators (that would let an LMS grant network rights); a user with
 * no student, teacher or parent role is rejected with the reason.
 */
export function buildPerson(
  user: User,
  id: string,
  studentIdOf: (sourcedId: string) => string | undefined,
): BuiltPerson {
  const roles: LmsPersonFact['roles'] = [];
  const seen = new Set<string>();
  for (const r of user.roles) {
    const role = personRoles[r.role];
    if (!role) continue;
    if (role === 'parent') {
      for (const agent of user.agentSourcedIds) {
        const studentId = studentIdOf(agent);
        if (studentId && !seen.has(`parent:${studentId}`)) {
          seen.add(`parent:${studentId}`);
          roles.push({ role, grade: null, classLetter: null, studentId });
        }
      }
      continue;
    }
    if (seen.has(role)) continue;
    seen.add(role);
    roles.push({
      role,
      grade: role === 'student' ? gradeOf(user.grades) : null,
      classLetter: null,
      studentId: null,
    });
  }
  if (roles.length === 0) {
    const named = user.roles.map((r) => r.role).join(', ');
    return {
      rejected: `no role the network takes from an LMS (student, teacher, parent with a known child); has ${named}`,
    };
  }
  return {
    fact: {
      id,
      givenName: user.givenName,
      familyName: user.familyName,
      middleName: user.middleName ?? null,
      birthDate: user.birthDate ?? null,
      email: user.email?.trim() || null,
      roles,
      active: user.status === 'active' && user.enabledUser,
    },
  };
}

/** Term dates of a class from its sessions' dates (earliest start, latest end). */
export function termOf(sessions: { startDate: string; endDate: string }[]): {
  termStart: string | null;
  termEnd: string | null;
} {
  if (sessions.length === 0) return { termStart: null, termEnd: null };
  return {
    termStart: sessions.map((s) => s.startDate).sort()[0]!,
    termEnd: sessions
      .map((s) => s.endDate)
      .sort()
      .at(-1)!,
  };
}

export function buildClass(
  cls: Class,
  id: string,
  course: { title?: string; subjects?: string[]; grades?: string[] } | undefined,
  sessions: { startDate: string; endDate: string }[],
): LmsClassFact {
  const grades = [
    ...new Set((cls.grades.length ? cls.grades : (course?.grades ?? [])).map((g) => Number.parseInt(g, 10))),
  ].filter((n) => Number.isInteger(n) && n >= 1 && n <= 11);
  return {
    id,
    title: cls.title,
    classCode: cls.classCode ?? null,
    subjects: cls.subjects.length ? cls.subjects : (course?.subjects ?? []),
    grades: grades.sort((a, b) => a - b),
    ...termOf(sessions),
    // Teachers arrive as teacher enrollments; courses keeps them on the offering.
    teacherIds: [],
    active: cls.status === 'active',
  };
}

export type BuiltEnrollment = { fact: LmsEnrollmentFact } | { rejected: string };

export function buildEnrollment(
  enrollment: Enrollment,
  id: string,
  offeringId: string | undefined,
  personId: string | undefined,
): BuiltEnrollment {
  if (!offeringId) return { rejected: `enrolment in an unknown class ${enrollment.classSourcedId}` };
  if (!personId) return { rejected: `enrolment of an unknown user ${enrollment.userSourcedId}` };
  const role =
    enrollment.role === 'student'
      ? 'student'
      : enrollment.role === 'teacher' || enrollment.role === 'aide'
        ? 'teacher'
        : undefined;
  if (!role) return { rejected: `role ${enrollment.role} is not enrolled in network classes` };
  return { fact: { id, offeringId, personId, role, active: enrollment.status === 'active' } };
}
