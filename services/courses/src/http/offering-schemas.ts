import { offeringFormats, offeringKinds, offeringStatuses, subjects } from '@mathnet/contracts';
import { z } from 'zod';
import '@mathnet/kit';

const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time HH:MM');

export const slotSchema = z
  .strictObject({ weekday: z.number().int().min(1).max(7), start: time, end: time })
  .refine((s) => s.start < s.end, { message: 'start must be before end', path: ['end'] })
  .openapi('WeeklySlot');

const offeringFields = {
  title: z.string().trim().min(1).max(300),
  description: z.string().trim().max(10_000).optional(),
  providerId: z.uuid(),
  kind: z.enum(offeringKinds),
  teacherIds: z.array(z.uuid()).max(20).optional(),
  subjects: z.array(z.enum(subjects)).min(1).max(5),
  grades: z.array(z.number().int().min(1).max(11)).min(1).max(11),
  level: z.enum(['basic', 'advanced']).optional(),
  hours: z.number().int().min(1).max(2000).optional(),
  format: z.enum(offeringFormats),
  platformUrl: z.url().max(500).optional(),
  termStart: z.iso.date().optional(),
  termEnd: z.iso.date().optional(),
  schedule: z.array(slotSchema).max(14).optional(),
  place: z.string().trim().max(300).optional(),
  capacity: z.number().int().min(1).max(10_000),
  schoolQuota: z.number().int().min(1).max(10_000).optional(),
  prerequisites: z.string().trim().max(2000).optional(),
  assessmentForm: z.string().trim().max(300).optional(),
  documentIssued: z.string().trim().max(300).optional(),
  agreementRef: z.string().trim().max(300).optional(),
  audience: z.enum(['students', 'teachers']).optional(),
};

const termOrder = (o: { termStart?: string | null; termEnd?: string | null }) =>
  !o.termStart || !o.termEnd || o.termStart <= o.termEnd;

export const offeringCreateSchema = z
  .strictObject(offeringFields)
  .refine(termOrder, { message: 'termStart must not be after termEnd', path: ['termEnd'] })
  .openapi('OfferingCreate');

const nullableOptional = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

export const offeringPatchSchema = z
  .strictObject({
    title: offeringFields.title.optional(),
    description: nullableOptional(offeringFields.description.unwrap()),
    kind: offeringFields.kind.optional(),
    teacherIds: offeringFields.teacherIds,
    subjects: offeringFields.subjects.optional(),
    grades: offeringFields.grades.optional(),
    level: offeringFields.level,
    hours: nullableOptional(offeringFields.hours.unwrap()),
    format: offeringFields.format.optional(),
    platformUrl: nullableOptional(offeringFields.platformUrl.unwrap()),
    termStart: nullableOptional(offeringFields.termStart.unwrap()),
    termEnd: nullableOptional(offeringFields.termEnd.unwrap()),
    schedule: offeringFields.schedule,
    place: nullableOptional(offeringFields.place.unwrap()),
    capacity: offeringFields.capacity.optional(),
    schoolQuota: nullableOptional(offeringFields.schoolQuota.unwrap()),
    prerequisites: nullableOptional(offeringFields.prerequisites.unwrap()),
    assessmentForm: nullableOptional(offeringFields.assessmentForm.unwrap()),
    documentIssued: nullableOptional(offeringFields.documentIssued.unwrap()),
    agreementRef: nullableOptional(offeringFields.agreementRef.unwrap()),
    audience: offeringFields.audience,
  })
  .openapi('OfferingPatch');

export const offeringSchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    description: z.string().nullable(),
    kind: z.enum(offeringKinds),
    providerId: z.uuid(),
    provider: z.object({ name: z.string(), shortName: z.string().nullable(), kind: z.string() }).nullable(),
    teacherIds: z.array(z.uuid()),
    subjects: z.array(z.string()),
    grades: z.array(z.number().int()),
    level: z.enum(['basic', 'advanced']),
    hours: z.number().int().nullable(),
    format: z.enum(offeringFormats),
    platformUrl: z.string().nullable(),
    termStart: z.string().nullable(),
    termEnd: z.string().nullable(),
    schedule: z.array(slotSchema),
    place: z.string().nullable(),
    capacity: z.number().int(),
    schoolQuota: z.number().int().nullable(),
    enrolled: z.number().int(),
    freeSeats: z.number().int(),
    prerequisites: z.string().nullable(),
    assessmentForm: z.string().nullable(),
    documentIssued: z.string().nullable(),
    agreementRef: z.string().nullable(),
    audience: z.enum(['students', 'teachers']),
    /** 'lms': a class of a school's LMS, kept in step with it by lms-bridge's events. */
    origin: z.enum(['network', 'lms']),
    status: z.enum(offeringStatuses),
    version: z.number().int(),
    publishedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Offering');

export const offeringListQuerySchema = z.object({
  /** 20 by default: one catalogue page as a user sees it. */
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(200)
    .default(20)
    .openapi({ description: 'Items per page (default 20, at most 200)' }),
  cursor: z
    .string()
    .max(300)
    .optional()
    .openapi({ description: 'The nextCursor of the previous page (keyset pagination; no total count)' }),
  subject: z.enum(subjects).optional(),
  grade: z.coerce.number().int().min(1).max(11).optional(),
  format: z.enum(offeringFormats).optional(),
  kind: z.enum(offeringKinds).optional(),
  providerId: z.uuid().optional(),
  status: z.enum(offeringStatuses).optional(),
  audience: z.enum(['students', 'teachers']).optional(),
  /** Offerings running on this date (term contains it). */
  term: z.iso.date().optional(),
  freeSeats: z.enum(['true']).optional(),
  q: z.string().trim().min(1).max(100).optional().openapi({
    description: 'Words (up to 5) that must all occur in the title, description or place, in any case',
  }),
  sort: z.enum(['title', 'termStart', 'created']).default('created').openapi({
    description: 'Order of the items, then by id: created (default), title, termStart (undated last)',
  }),
});

export type OfferingCreate = z.infer<typeof offeringCreateSchema>;
export type OfferingPatch = z.infer<typeof offeringPatchSchema>;
export type Offering = z.infer<typeof offeringSchema>;
export type OfferingListQuery = z.infer<typeof offeringListQuerySchema>;
