import {
  isoFromUnix,
  type MoodleCourse,
  type MoodleEnrolledUser,
  type MoodleGradeItem,
  type MoodleRole,
  type SiteInfo,
} from './moodle-types';
import type { MoodleSettings } from './settings';

/*
 * Moodle → OneRoster 1.2 mapping. A Moodle course is what a network class
 * maps to, so each course gives both a OneRoster `courses` and a `classes`
 * record with the same sourcedId (the Moodle course id).
 */

/** The network roles the connector maps Moodle roles to. */
export type NetworkRole = 'student' | 'teacher';

/** Moodle's site course (SITEID): the front page, never a class. */
export const siteCourseId = 1;

/** The school org the Moodle site stands for. */
export function orgFromSite(site: SiteInfo, orgSourcedId: string) {
  return {
    sourcedId: orgSourcedId,
    name: site.sitename.trim() || 'Moodle',
    type: 'school',
    ...(site.siteurl ? { identifier: site.siteurl } : {}),
  };
}

export function courseFromMoodle(course: MoodleCourse, orgSourcedId: string) {
  return {
    sourcedId: String(course.id),
    title: course.fullname,
    courseCode: course.shortname || undefined,
    orgSourcedId,
    dateLastModified: isoFromUnix(course.timemodified),
  };
}

export function classFromMoodle(course: MoodleCourse, orgSourcedId: string) {
  return {
    sourcedId: String(course.id),
    title: course.fullname,
    classCode: course.shortname || undefined,
    classType: 'scheduled',
    courseSourcedId: String(course.id),
    schoolSourcedId: orgSourcedId,
    dateLastModified: isoFromUnix(course.timemodified),
  };
}

const teacherShortnames = new Set(['editingteacher', 'teacher']);

/**
 * The network role of a Moodle role: the configured role ids first, then the
 * standard shortnames (a non-editing teacher is a teacher too). Other roles
 * (manager, guest, custom ones) are not mapped.
 */
export function networkRoleOf(role: MoodleRole, settings: MoodleSettings): NetworkRole | undefined {
  if (role.roleid === settings.studentRoleId) return 'student';
  if (role.roleid === settings.teacherRoleId) return 'teacher';
  if (role.shortname === 'student') return 'student';
  if (role.shortname && teacherShortnames.has(role.shortname)) return 'teacher';
  return undefined;
}

/** A OneRoster user from a Moodle user and the network roles found over all courses (teacher first: the primary one). */
export function userFromMoodle(user: MoodleEnrolledUser, roles: Set<NetworkRole>, orgSourcedId: string) {
  const ordered = (['teacher', 'student'] as const).filter((r) => roles.has(r));
  const idnumber = user.idnumber?.trim();
  return {
    sourcedId: String(user.id),
    username: user.username || undefined,
    userIds: idnumber ? [{ type: 'idnumber', identifier: idnumber }] : [],
    givenName: user.firstname,
    familyName: user.lastname,
    email: user.email || undefined,
    roles: ordered.map((role, i) => ({ roleType: i === 0 ? 'primary' : 'secondary', role, orgSourcedId })),
  };
}

/** The sourcedId of the enrollment of a user in a course with a role (Moodle has no id for it in the web services). */
export function enrollmentSourcedId(courseId: number, userId: number, role: NetworkRole): string {
  return `${courseId}:${userId}:${role}`;
}

export function enrollmentFromMoodle(
  courseId: number,
  userId: number,
  role: NetworkRole,
  orgSourcedId: string,
) {
  return {
    sourcedId: enrollmentSourcedId(courseId, userId, role),
    classSourcedId: String(courseId),
    schoolSourcedId: orgSourcedId,
    userSourcedId: String(userId),
    role,
  };
}

/** Grade item types that are gradebook columns of their own (categories are subtotals). */
export const gradedItemTypes = new Set(['mod', 'manual', 'course']);

export function lineItemFromMoodle(item: MoodleGradeItem, courseId: number) {
  const name = item.itemname?.trim();
  return {
    sourcedId: String(item.id),
    title: name || (item.itemtype === 'course' ? 'Course total' : `Grade item ${item.id}`),
    classSourcedId: String(courseId),
    ...(item.itemmodule ? { description: item.itemmodule } : {}),
    ...(typeof item.grademin === 'number' ? { resultValueMin: item.grademin } : {}),
    ...(typeof item.grademax === 'number' ? { resultValueMax: item.grademax } : {}),
  };
}

/** A result, or undefined when the user has nothing for this item (no grade, no submission, no completion). */
export function resultFromMoodle(item: MoodleGradeItem, userId: number, completed: boolean | undefined) {
  const graded = typeof item.graderaw === 'number';
  const submitted = !!item.gradedatesubmitted;
  if (!graded && !submitted && completed === undefined) return undefined;
  const comment = plainText(item.feedback);
  return {
    sourcedId: `${item.id}:${userId}`,
    lineItemSourcedId: String(item.id),
    studentSourcedId: String(userId),
    ...(graded ? { score: item.graderaw } : {}),
    scoreStatus: graded ? 'fully graded' : submitted ? 'submitted' : 'not submitted',
    scoreDate: isoFromUnix(item.gradedategraded ?? item.gradedatesubmitted),
    ...(comment ? { comment } : {}),
    ...(completed === undefined ? {} : { completed }),
  };
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };

/** Moodle feedback is formatted HTML; the network keeps plain text. */
export function plainText(html: string | null | undefined): string | undefined {
  if (!html) return undefined;
  const text = html
    .replace(/<br\s*\/?>|<\/p>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, name: string) => entities[name] ?? '')
    .trim();
  return text || undefined;
}
