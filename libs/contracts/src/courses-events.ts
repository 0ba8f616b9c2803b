import { z } from 'zod';

export const offeringKinds = [
  'elective',
  'optional_course',
  'individual_lessons',
  'study_visit',
  'distance_course',
  'research_project',
  'intensive',
  'teacher_training',
] as const;
export const offeringFormats = ['in_person', 'distance', 'blended'] as const;
export const offeringStatuses = ['draft', 'published', 'archived'] as const;
export const subjects = ['maths', 'physics', 'informatics', 'astronomy', 'other'] as const;
export const enrollmentStatuses = [
  'requested',
  'consented',
  'approved',
  'enrolled',
  'waitlisted',
  'rejected',
  'withdrawn',
  'completed',
  'failed',
] as const;

/** What the network learns about an offering when it is published, changed or archived. */
export const offeringEventSchema = z.object({
  id: z.string().uuid(),
  title: z.string(),
  providerId: z.string().uuid(),
  kind: z.enum(offeringKinds),
  subjects: z.array(z.string()),
  grades: z.array(z.number().int()),
  level: z.enum(['basic', 'advanced']),
  format: z.enum(offeringFormats),
  hours: z.number().nullable(),
  capacity: z.number().int(),
  audience: z.enum(['students', 'teachers']),
  status: z.enum(offeringStatuses),
  termStart: z.string().nullable(),
  termEnd: z.string().nullable(),
  version: z.number().int().positive(),
});

export const enrollmentResultSchema = z.object({
  mark: z.string().nullable(),
  hours: z.number().nullable(),
  passed: z.boolean(),
  certificateNumber: z.string().nullable(),
});

/** Every enrollment event carries the enrollment as it is after the step. */
export const enrollmentEventSchema = z.object({
  id: z.string().uuid(),
  offeringId: z.string().uuid(),
  providerId: z.string().uuid(),
  studentId: z.string().uuid(),
  homeSchoolId: z.string().uuid().nullable(),
  status: z.enum(enrollmentStatuses),
  actorId: z.string(),
  reason: z.string().nullable(),
  result: enrollmentResultSchema.nullable(),
  version: z.number().int().positive(),
});

/** Most enrollments one {@link enrollmentsChangedSchema} event carries (an LMS batch holds at most 5,000 facts). */
export const maxEnrollmentsPerBatchEvent = 5000;

/**
 * `mathnet.courses.enrollments.changed`: the enrollments one batch changed (an LMS sync
 * batch applied in one transaction), announced once instead of one
 * `mathnet.courses.enrollment.<status>` per enrollment (ADR 0007). Each item is exactly what
 * that per-record event would carry, its `status` naming the step (`enrolled`, `withdrawn`,
 * `completed`, ...); an enrollment appears at most once per event. Changes made through the
 * API keep their per-record events, so a consumer of `enrollment.<status>` subscribes to
 * this type too and treats each item as that event.
 */
export const enrollmentsChangedSchema = z.object({
  enrollments: z.array(enrollmentEventSchema).min(1).max(maxEnrollmentsPerBatchEvent),
  /** What made the change: the LMS connection and the sync run whose batch it was. */
  source: z.object({
    connectionId: z.string().uuid(),
    runId: z.string().uuid(),
  }),
});

export const routeApprovedSchema = z.object({
  id: z.string().uuid(),
  studentId: z.string().uuid(),
  homeSchoolId: z.string().uuid(),
  academicYear: z.string(),
  version: z.number().int().positive(),
  totalHours: z.number(),
  approvedBy: z.string(),
  orderNumber: z.string(),
  orderDate: z.string(),
});

export const creditDecidedSchema = z.object({
  enrollmentId: z.string().uuid(),
  studentId: z.string().uuid(),
  homeSchoolId: z.string().uuid(),
  decision: z.enum(['credited', 'reassessed', 'refused']),
  subject: z.string().nullable(),
  hours: z.number().nullable(),
  decidedBy: z.string(),
});

export type OfferingEvent = z.infer<typeof offeringEventSchema>;
export type EnrollmentEvent = z.infer<typeof enrollmentEventSchema>;
export type EnrollmentsChanged = z.infer<typeof enrollmentsChangedSchema>;

export const coursesEvents = {
  'mathnet.courses.offering.published': offeringEventSchema,
  'mathnet.courses.offering.updated': offeringEventSchema,
  'mathnet.courses.offering.archived': offeringEventSchema,
  'mathnet.courses.enrollment.requested': enrollmentEventSchema,
  'mathnet.courses.enrollment.approved': enrollmentEventSchema,
  'mathnet.courses.enrollment.rejected': enrollmentEventSchema,
  'mathnet.courses.enrollment.enrolled': enrollmentEventSchema,
  'mathnet.courses.enrollment.waitlisted': enrollmentEventSchema,
  'mathnet.courses.enrollment.withdrawn': enrollmentEventSchema,
  'mathnet.courses.enrollment.completed': enrollmentEventSchema,
  'mathnet.courses.enrollment.failed': enrollmentEventSchema,
  'mathnet.courses.enrollments.changed': enrollmentsChangedSchema,
  'mathnet.courses.route.approved': routeApprovedSchema,
  'mathnet.courses.credit.decided': creditDecidedSchema,
} as const;
