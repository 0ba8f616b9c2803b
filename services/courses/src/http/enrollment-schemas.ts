import { enrollmentStatuses, subjects } from '@mathnet/contracts';
import { z } from 'zod';
import '@mathnet/kit';

export const enrollmentRequestSchema = z.strictObject({ studentId: z.uuid() }).openapi('EnrollmentRequest');
export const reasonSchema = z
  .strictObject({ reason: z.string().trim().min(1).max(2000).optional() })
  .openapi('StepReason');
export const rejectSchema = z
  .strictObject({ reason: z.string().trim().min(1).max(2000) })
  .openapi('Rejection');
export const completeSchema = z
  .strictObject({
    passed: z.boolean(),
    mark: z.string().trim().min(1).max(50).optional(),
    hours: z.number().min(0).max(2000).optional(),
    certificateNumber: z.string().trim().min(1).max(100).optional(),
  })
  .openapi('EnrollmentResult');
export const creditSchema = z
  .strictObject({
    decision: z.enum(['credited', 'reassessed', 'refused']),
    subject: z.enum(subjects).optional(),
    hours: z.number().min(0).max(2000).optional(),
    note: z.string().trim().max(2000).optional(),
  })
  .openapi('CreditDecision');

export const enrollmentListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
  studentId: z.uuid().optional(),
  offeringId: z.uuid().optional(),
  status: z.enum(enrollmentStatuses).optional(),
  /** The learner's home school or the provider. */
  organisationId: z.uuid().optional(),
});

export const enrollmentSchema = z
  .object({
    id: z.uuid(),
    offeringId: z.uuid(),
    offering: z.object({ title: z.string(), providerId: z.uuid(), kind: z.string() }).nullable(),
    studentId: z.uuid(),
    student: z.object({ givenName: z.string(), familyName: z.string() }).nullable(),
    homeSchoolId: z.uuid().nullable(),
    status: z.enum(enrollmentStatuses),
    needsConsent: z.boolean(),
    reason: z.string().nullable(),
    result: z
      .object({
        mark: z.string().nullable(),
        hours: z.number().nullable(),
        passed: z.boolean(),
        certificateNumber: z.string().nullable(),
      })
      .nullable(),
    credit: z
      .object({
        decision: z.string(),
        subject: z.string().nullable(),
        hours: z.number().nullable(),
        note: z.string().nullable(),
        decidedBy: z.string(),
        decidedAt: z.string(),
      })
      .nullable(),
    requestedBy: z.string(),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    steps: z
      .array(
        z.object({
          action: z.string(),
          from: z.string().nullable(),
          to: z.string(),
          actorId: z.string(),
          reason: z.string().nullable(),
          at: z.string(),
        }),
      )
      .optional(),
  })
  .openapi('Enrollment');
