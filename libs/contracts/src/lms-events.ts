import { z } from 'zod';

/*
 * What lms-bridge learns from a school's LMS, in the shape registry and courses
 * consume. Facts come in batches (one event per page of a sync run) so a
 * district-size import is thousands of events, not millions. Every fact carries
 * the network id the bridge assigned (or matched) and `active: false` when the
 * record disappeared from the LMS: consumers deactivate, never delete.
 */

const batchHeader = {
  runId: z.string().uuid(),
  connectionId: z.string().uuid(),
  /** The school whose LMS this is: every role and offering of the batch belongs to it. */
  organisationId: z.string().uuid(),
};

export const lmsPersonFactSchema = z.object({
  id: z.string().uuid(),
  givenName: z.string(),
  familyName: z.string(),
  middleName: z.string().nullable(),
  birthDate: z.string().nullable(),
  email: z.string().nullable(),
  /** Roles at the batch's organisation (roles elsewhere are not the LMS's to change; an LMS never grants coordinator rights). */
  roles: z.array(
    z.object({
      role: z.enum(['student', 'teacher', 'parent']),
      grade: z.number().int().min(1).max(11).nullable(),
      classLetter: z.string().nullable(),
      studentId: z.string().uuid().nullable(),
    }),
  ),
  active: z.boolean(),
});

export const lmsClassFactSchema = z.object({
  /** The network offering id of this LMS class. */
  id: z.string().uuid(),
  title: z.string(),
  classCode: z.string().nullable(),
  subjects: z.array(z.string()),
  grades: z.array(z.number().int()),
  termStart: z.string().nullable(),
  termEnd: z.string().nullable(),
  teacherIds: z.array(z.string().uuid()),
  active: z.boolean(),
});

export const lmsEnrollmentFactSchema = z.object({
  /** The network enrollment id of this LMS enrolment. */
  id: z.string().uuid(),
  offeringId: z.string().uuid(),
  personId: z.string().uuid(),
  role: z.enum(['student', 'teacher']),
  active: z.boolean(),
});

export const lmsGradeFactSchema = z.object({
  offeringId: z.string().uuid(),
  personId: z.string().uuid(),
  score: z.number().nullable(),
  maxScore: z.number().nullable(),
  completed: z.boolean(),
});

export const lmsPeopleSyncedSchema = z.object({
  ...batchHeader,
  people: z.array(lmsPersonFactSchema).max(1000),
});
export const lmsClassesSyncedSchema = z.object({
  ...batchHeader,
  classes: z.array(lmsClassFactSchema).max(1000),
});
export const lmsEnrollmentsSyncedSchema = z.object({
  ...batchHeader,
  enrollments: z.array(lmsEnrollmentFactSchema).max(5000),
});
export const lmsGradesSyncedSchema = z.object({
  ...batchHeader,
  grades: z.array(lmsGradeFactSchema).max(5000),
});

const runCounts = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  deactivated: z.number().int(),
  unchanged: z.number().int(),
  failed: z.number().int(),
});

export const lmsSyncStartedSchema = z.object({ ...batchHeader, trigger: z.string(), connector: z.string() });
export const lmsSyncCompletedSchema = z.object({ ...batchHeader, counts: runCounts });
export const lmsSyncFailedSchema = z.object({ ...batchHeader, error: z.string(), counts: runCounts });

export type LmsPersonFact = z.infer<typeof lmsPersonFactSchema>;
export type LmsClassFact = z.infer<typeof lmsClassFactSchema>;
export type LmsEnrollmentFact = z.infer<typeof lmsEnrollmentFactSchema>;
export type LmsGradeFact = z.infer<typeof lmsGradeFactSchema>;

export const lmsEvents = {
  'mathnet.lms.sync.started': lmsSyncStartedSchema,
  'mathnet.lms.sync.completed': lmsSyncCompletedSchema,
  'mathnet.lms.sync.failed': lmsSyncFailedSchema,
  'mathnet.lms.people.synced': lmsPeopleSyncedSchema,
  'mathnet.lms.classes.synced': lmsClassesSyncedSchema,
  'mathnet.lms.enrollments.synced': lmsEnrollmentsSyncedSchema,
  'mathnet.lms.grades.synced': lmsGradesSyncedSchema,
} as const;
