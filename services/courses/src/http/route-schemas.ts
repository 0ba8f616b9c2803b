import { enrollmentStatuses, subjects } from '@mathnet/contracts';
import { z } from 'zod';
import '@mathnet/kit';
import { activityKinds, isAcademicYear, routeStatuses } from '../domain/route-rules';

const academicYear = z
  .string()
  .refine(isAcademicYear, { message: 'an academic year YYYY/YYYY+1, e.g. 2026/2027' });
const level = z.enum(['basic', 'advanced']);
const text = (max: number) => z.string().trim().min(1).max(max);

export const individualProjectSchema = z
  .strictObject({ topic: text(500), subject: z.enum(subjects).optional(), supervisor: text(300).optional() })
  .openapi('IndividualProject');

export const routeCreateSchema = z
  .strictObject({
    studentId: z.uuid(),
    academicYear,
    goals: text(5000).optional(),
    mentorId: z.uuid().optional(),
    individualProject: individualProjectSchema.optional(),
  })
  .openapi('RouteCreate');

export const routePatchSchema = z
  .strictObject({
    goals: text(5000).nullable().optional(),
    mentorId: z.uuid().nullable().optional(),
    individualProject: individualProjectSchema.nullable().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, {
    message: 'name at least one of goals, mentorId, individualProject',
  })
  .openapi('RoutePatch');

export const enrollmentItemSchema = z.strictObject({ enrollmentId: z.uuid() }).openapi('RouteEnrollmentItem');

export const activityItemSchema = z
  .strictObject({
    kind: z.enum(activityKinds),
    title: text(300),
    subject: z.enum(subjects),
    hours: z.number().min(0).max(2000),
    level: level.optional(),
    topic: text(500).optional(),
    supervisor: text(300).optional(),
    providerId: z.uuid().optional(),
  })
  .openapi('RouteActivityItem');

/** An item is an enrollment of the student, or another activity (research, conference, visit). */
export const routeItemCreateSchema = z
  .union([enrollmentItemSchema, activityItemSchema])
  .openapi('RouteItemCreate');

export const routeApproveSchema = z
  .strictObject({ orderNumber: text(100), orderDate: z.iso.date() })
  .openapi('RouteApproval');
export const routeReturnSchema = z.strictObject({ reason: text(2000) }).openapi('RouteReturn');
export const itemCompleteSchema = z
  .strictObject({ hours: z.number().min(0).max(2000).optional() })
  .openapi('RouteItemCompletion');

export const routeListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  studentId: z.uuid().optional(),
  academicYear: academicYear.optional(),
  status: z.enum(routeStatuses).optional(),
  /** The home school. */
  organisationId: z.uuid().optional(),
});

export const routeExportQuerySchema = z.object({ format: z.enum(['pdf', 'csv']).default('pdf') });

const personName = z.object({
  givenName: z.string(),
  familyName: z.string(),
  middleName: z.string().nullable(),
});
const orgName = z.object({ name: z.string(), shortName: z.string().nullable() });

export const routeItemSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(['enrollment', ...activityKinds]),
    enrollmentId: z.uuid().nullable(),
    enrollmentStatus: z.enum(enrollmentStatuses).nullable(),
    offeringId: z.uuid().nullable(),
    offeringKind: z.string().nullable(),
    providerId: z.uuid().nullable(),
    provider: orgName.nullable(),
    title: z.string(),
    subject: z.string(),
    level,
    hours: z.number(),
    completedHours: z.number(),
    /** Enrollment status for enrollments; `planned` or `done` for activities. */
    status: z.string(),
    topic: z.string().nullable(),
    supervisor: z.string().nullable(),
    termStart: z.string().nullable(),
    termEnd: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('RouteItem');

const routeCore = {
  id: z.uuid(),
  studentId: z.uuid(),
  student: personName.nullable(),
  homeSchoolId: z.uuid(),
  homeSchool: orgName.nullable(),
  academicYear: z.string(),
  status: z.enum(routeStatuses),
  routeVersion: z.number().int(),
  goals: z.string().nullable(),
  mentorId: z.uuid().nullable(),
  mentor: personName.nullable(),
  // Stored JSON, read back loosely typed.
  individualProject: z
    .object({ topic: z.string(), subject: z.string().optional(), supervisor: z.string().optional() })
    .nullable(),
  approval: z
    .object({
      orderNumber: z.string(),
      orderDate: z.string(),
      approvedBy: z.string(),
      approvedAt: z.string(),
    })
    .nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
};

export const routeSummarySchema = z
  .object({ ...routeCore, totalHours: z.number(), itemCount: z.number().int() })
  .openapi('RouteSummary');

export const routeProblemSchema = z.object({ code: z.string(), message: z.string() }).openapi('RouteProblem');

export const routeSchema = z
  .object({
    ...routeCore,
    items: z.array(routeItemSchema),
    totals: z.object({
      totalHours: z.number(),
      bySubject: z.array(
        z.object({ subject: z.string(), hours: z.number(), basic: z.number(), advanced: z.number() }),
      ),
      byLevel: z.object({ basic: z.number(), advanced: z.number() }),
    }),
    progress: z.object({ plannedHours: z.number(), completedHours: z.number(), percent: z.number() }),
    validation: z.object({ valid: z.boolean(), problems: z.array(routeProblemSchema) }),
    history: z.array(
      z.object({
        routeVersion: z.number().int(),
        action: z.string(),
        status: z.enum(routeStatuses),
        actorId: z.string(),
        at: z.string(),
        /** The route and its items right after the action. */
        snapshot: z.record(z.string(), z.unknown()),
      }),
    ),
  })
  .openapi('Route');

export const teacherTrainingSchema = z
  .object({
    teacherId: z.uuid(),
    teacher: personName.nullable(),
    items: z.array(
      z.object({
        enrollmentId: z.uuid(),
        offeringId: z.uuid(),
        title: z.string(),
        providerId: z.uuid(),
        provider: orgName.nullable(),
        hours: z.number().nullable(),
        termStart: z.string().nullable(),
        termEnd: z.string().nullable(),
        status: z.enum(enrollmentStatuses),
        result: z
          .object({
            mark: z.string().nullable(),
            hours: z.number().nullable(),
            passed: z.boolean(),
            certificateNumber: z.string().nullable(),
          })
          .nullable(),
        updatedAt: z.string(),
      }),
    ),
    completedHours: z.number(),
  })
  .openapi('TeacherTraining');

export type RouteCreate = z.infer<typeof routeCreateSchema>;
export type RoutePatch = z.infer<typeof routePatchSchema>;
export type ActivityItemCreate = z.infer<typeof activityItemSchema>;
export type RouteListQuery = z.infer<typeof routeListQuerySchema>;
export type Route = z.infer<typeof routeSchema>;
export type RouteItem = z.infer<typeof routeItemSchema>;
export type RouteSummary = z.infer<typeof routeSummarySchema>;
export type TeacherTraining = z.infer<typeof teacherTrainingSchema>;
