import type { LmsPersonFact } from '@mathnet/contracts';
import { z } from 'zod';
import type { roleAssignments } from '../store/schema';

type RoleRow = typeof roleAssignments.$inferSelect;

/** A role as an LMS fact gives it, before it is placed at an organisation and a position. */
export type RoleFields = Pick<RoleRow, 'role' | 'grade' | 'classLetter' | 'studentId'>;

/**
 * The role kinds an LMS gives and takes at its school. Others there (school_admin, partner, ...)
 * are never its to change: an LMS administrator does not become a network coordinator (ADR 0006),
 * so an LMS does not remove one either, and a `school_admin` in a fact is ignored.
 */
export const lmsRoleKinds: string[] = ['student', 'teacher', 'parent'];

/** The fact's roles as registry stores them: grade and class for students, the child for parents, no duplicates. */
export function lmsRolesOf(fact: LmsPersonFact): RoleFields[] {
  const roles = fact.roles
    .filter((r) => lmsRoleKinds.includes(r.role))
    .map((r) => {
      const letter = r.classLetter?.trim() ?? '';
      return {
        role: r.role,
        grade: r.role === 'student' ? r.grade : null,
        // The network's class letter is 1-4 characters ("А", "10Б"); a longer LMS label is no class letter.
        classLetter: r.role === 'student' && letter.length > 0 && letter.length <= 4 ? letter : null,
        studentId: r.role === 'parent' ? r.studentId : null,
      };
    });
  return [...new Map(roles.map((r) => [roleKey(r), r])).values()];
}

const roleKey = (r: RoleFields) => `${r.role}|${r.grade ?? ''}|${r.classLetter ?? ''}|${r.studentId ?? ''}`;

/** A set of roles as one comparable string (order does not matter). */
export const roleSetKey = (roles: RoleFields[]) => roles.map(roleKey).sort().join('\n');

const isoDate = z.iso.date();
const email = z.email().max(254);

/** A birth date registry can store, or null (an LMS may send "" or a malformed date). */
export function validDate(value: string | null): string | null {
  return value !== null && isoDate.safeParse(value).success && value >= '1900-01-01' ? value : null;
}

/** A trimmed, valid e-mail, or null. */
export function validEmail(value: string | null): string | null {
  const trimmed = value?.trim();
  return trimmed && email.safeParse(trimmed).success ? trimmed : null;
}
