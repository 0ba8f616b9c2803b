import { z } from 'zod';

/*
 * Normalised entities, aligned with OneRoster 1.2 (rostering and gradebook).
 * Every entity carries its `sourcedId` in the LMS; references to other entities
 * are by sourcedId. `status: 'tobedeleted'` is how a delta says a record is gone.
 */

const base = {
  sourcedId: z.string().trim().min(1).max(255),
  status: z.enum(['active', 'tobedeleted']).default('active'),
  dateLastModified: z.string().optional(),
};

export const orgSchema = z.object({
  ...base,
  name: z.string().trim().min(1),
  type: z.enum(['department', 'school', 'district', 'local', 'state', 'national']),
  identifier: z.string().optional(),
  parentSourcedId: z.string().optional(),
});

export const academicSessionSchema = z.object({
  ...base,
  title: z.string().trim().min(1),
  type: z.enum(['gradingPeriod', 'semester', 'schoolYear', 'term']),
  startDate: z.iso.date(),
  endDate: z.iso.date(),
  parentSourcedId: z.string().optional(),
  schoolYear: z.string().regex(/^\d{4}$/),
});

export const courseSchema = z.object({
  ...base,
  title: z.string().trim().min(1),
  courseCode: z.string().optional(),
  grades: z.array(z.string()).default([]),
  subjects: z.array(z.string()).default([]),
  orgSourcedId: z.string().min(1),
  schoolYearSourcedId: z.string().optional(),
});

export const classSchema = z.object({
  ...base,
  title: z.string().trim().min(1),
  classCode: z.string().optional(),
  classType: z.enum(['homeroom', 'scheduled']).default('scheduled'),
  location: z.string().optional(),
  grades: z.array(z.string()).default([]),
  subjects: z.array(z.string()).default([]),
  courseSourcedId: z.string().min(1),
  schoolSourcedId: z.string().min(1),
  termSourcedIds: z.array(z.string()).default([]),
});

export const oneRosterRoles = [
  'administrator',
  'aide',
  'guardian',
  'parent',
  'proctor',
  'relative',
  'student',
  'teacher',
  'districtAdministrator',
  'siteAdministrator',
  'systemAdministrator',
] as const;

export const userRoleSchema = z.object({
  roleType: z.enum(['primary', 'secondary']).default('primary'),
  role: z.enum(oneRosterRoles),
  orgSourcedId: z.string().min(1),
  beginDate: z.iso.date().optional(),
  endDate: z.iso.date().optional(),
});

export const userSchema = z.object({
  ...base,
  enabledUser: z.boolean().default(true),
  username: z.string().optional(),
  userIds: z.array(z.object({ type: z.string(), identifier: z.string() })).default([]),
  givenName: z.string().trim().min(1),
  familyName: z.string().trim().min(1),
  middleName: z.string().optional(),
  /** Empty in a delta that changes a user but not their roles (their roles stay as they were). */
  roles: z.array(userRoleSchema).default([]),
  email: z.string().optional(),
  phone: z.string().optional(),
  /** Parents/guardians: the sourcedIds of their children (OneRoster `agents`). */
  agentSourcedIds: z.array(z.string()).default([]),
  grades: z.array(z.string()).default([]),
  /** From OneRoster demographics when the LMS shares it (used to match people, never required). */
  birthDate: z.iso.date().optional(),
});

export const enrollmentSchema = z.object({
  ...base,
  classSourcedId: z.string().min(1),
  schoolSourcedId: z.string().min(1),
  userSourcedId: z.string().min(1),
  role: z.enum(['administrator', 'proctor', 'student', 'teacher', 'aide', 'guardian', 'parent']),
  primary: z.boolean().optional(),
  beginDate: z.iso.date().optional(),
  endDate: z.iso.date().optional(),
});

export const lineItemSchema = z.object({
  ...base,
  title: z.string().trim().min(1),
  description: z.string().optional(),
  assignDate: z.string().optional(),
  dueDate: z.string().optional(),
  classSourcedId: z.string().min(1),
  resultValueMin: z.number().optional(),
  resultValueMax: z.number().optional(),
});

export const resultSchema = z.object({
  ...base,
  lineItemSourcedId: z.string().min(1),
  studentSourcedId: z.string().min(1),
  score: z.number().optional(),
  scoreStatus: z
    .enum(['exempt', 'fully graded', 'not submitted', 'partially graded', 'submitted'])
    .default('fully graded'),
  scoreDate: z.string().optional(),
  comment: z.string().optional(),
  /** Course completion reported by the LMS (e.g. Moodle completion), when known. */
  completed: z.boolean().optional(),
});

export const entitySchemas = {
  orgs: orgSchema,
  academicSessions: academicSessionSchema,
  courses: courseSchema,
  classes: classSchema,
  users: userSchema,
  enrollments: enrollmentSchema,
  lineItems: lineItemSchema,
  results: resultSchema,
} as const;

export type EntityType = keyof typeof entitySchemas;
export type EntityOf<T extends EntityType> = z.infer<(typeof entitySchemas)[T]>;
export type Org = EntityOf<'orgs'>;
export type AcademicSession = EntityOf<'academicSessions'>;
export type Course = EntityOf<'courses'>;
export type Class = EntityOf<'classes'>;
export type User = EntityOf<'users'>;
export type Enrollment = EntityOf<'enrollments'>;
export type LineItem = EntityOf<'lineItems'>;
export type Result = EntityOf<'results'>;

/** The order in which entity types are delivered (references point backwards). */
export const entityOrder: EntityType[] = [
  'orgs',
  'academicSessions',
  'courses',
  'classes',
  'users',
  'enrollments',
  'lineItems',
  'results',
];
