import {
  defineIdempotencyTable,
  defineInboxTable,
  defineOutboxTable,
  definePersonalDataAccessTable,
} from '@mathnet/db';
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgSchema,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** Everything courses stores lives in its own PostgreSQL schema. */
export const coursesSchema = pgSchema('courses');

/** One weekly slot of an offering: ISO weekday (1 = Monday) and local times `HH:MM`. */
export interface WeeklySlot {
  weekday: number;
  start: string;
  end: string;
}

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

/** The network catalogue: what a member organisation offers to students (or teachers) of the network. */
export const offerings = coursesSchema.table(
  'offerings',
  {
    id: uuid('id').primaryKey(),
    title: text('title').notNull(),
    description: text('description'),
    kind: text('kind').notNull(),
    providerId: uuid('provider_id').notNull(),
    teacherIds: uuid('teacher_ids').array().notNull().default(sql`'{}'::uuid[]`),
    subjects: text('subjects').array().notNull(),
    grades: smallint('grades').array().notNull(),
    level: text('level').notNull().default('basic'),
    hours: integer('hours'),
    format: text('format').notNull(),
    platformUrl: text('platform_url'),
    termStart: date('term_start'),
    termEnd: date('term_end'),
    schedule: jsonb('schedule').$type<WeeklySlot[]>().notNull().default(sql`'[]'::jsonb`),
    place: text('place'),
    capacity: integer('capacity').notNull(),
    /** Most seats one home school may take (null: no quota). */
    schoolQuota: integer('school_quota'),
    prerequisites: text('prerequisites'),
    assessmentForm: text('assessment_form'),
    documentIssued: text('document_issued'),
    agreementRef: text('agreement_ref'),
    audience: text('audience').notNull().default('students'),
    /** Where the offering comes from: 'network' (the catalogue API) or 'lms' (a school's LMS class, kept by lms-bridge's events). */
    origin: text('origin').notNull().default('network'),
    /** For an LMS class: the lms-bridge connection that reported it. */
    lmsConnectionId: uuid('lms_connection_id'),
    /** For an LMS class: its code in the LMS (e.g. `10A-ALG`). */
    classCode: text('class_code'),
    status: text('status').notNull().default('draft'),
    /** Seats taken (status enrolled); changed only under the offering's row lock. */
    enrolledCount: integer('enrolled_count').notNull().default(0),
    /** Lower-cased title, description and place, for text search. */
    searchText: text('search_text').notNull().default(''),
    version: integer('version').notNull().default(1),
    createdBy: text('created_by'),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    index('offerings_status_idx').on(t.status, t.id),
    index('offerings_provider_idx').on(t.providerId),
    // The GIN indexes write straight into the index (fastupdate off): with the default pending
    // list, offerings added since the last vacuum are searched by a linear scan of that list,
    // which made a text search ~20 times slower after a bulk load. The catalogue is read far
    // more often than written.
    index('offerings_subjects_idx').using('gin', t.subjects).with({ fastupdate: false }),
    index('offerings_grades_idx').using('gin', t.grades).with({ fastupdate: false }),
    // Catalogue sorted by title, and text search by any part of a word (pg_trgm).
    index('offerings_status_title_idx').on(t.status, sql`lower(${t.title})`, t.id),
    index('offerings_search_trgm_idx')
      .using('gin', t.searchText.op('gin_trgm_ops'))
      .with({ fastupdate: false }),
  ],
);

/** A person's request for a seat and everything that happened to it. */
export const enrollments = coursesSchema.table(
  'enrollments',
  {
    id: uuid('id').primaryKey(),
    offeringId: uuid('offering_id')
      .notNull()
      .references(() => offerings.id),
    /** The learner: a student (or a teacher, for teacher training). */
    studentId: uuid('student_id').notNull(),
    homeSchoolId: uuid('home_school_id'),
    status: text('status').notNull(),
    /** Request order: the waitlist is promoted in this order. */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    needsConsent: boolean('needs_consent').notNull(),
    reason: text('reason'),
    mark: text('mark'),
    resultHours: numeric('result_hours', { mode: 'number' }),
    passed: boolean('passed'),
    certificateNumber: text('certificate_number'),
    requestedBy: text('requested_by').notNull(),
    version: integer('version').notNull().default(1),
    ...timestamps,
  },
  (t) => [
    index('enrollments_offering_status_idx').on(t.offeringId, t.status, t.seq),
    index('enrollments_student_idx').on(t.studentId),
    index('enrollments_home_school_idx').on(t.homeSchoolId),
  ],
);

/** Every step of an enrollment, with the actor and the time (the audit trail). */
export const enrollmentSteps = coursesSchema.table(
  'enrollment_steps',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    enrollmentId: uuid('enrollment_id')
      .notNull()
      .references(() => enrollments.id),
    action: text('action').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    actorId: text('actor_id').notNull(),
    reason: text('reason'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('enrollment_steps_enrollment_idx').on(t.enrollmentId)],
);

/** The home school's decision on a completed enrollment (credit transfer). */
export const creditDecisions = coursesSchema.table('credit_decisions', {
  enrollmentId: uuid('enrollment_id')
    .primaryKey()
    .references(() => enrollments.id),
  decision: text('decision').notNull(),
  subject: text('subject'),
  hours: numeric('hours', { mode: 'number' }),
  note: text('note'),
  decidedBy: text('decided_by').notNull(),
  decidedAt: timestamp('decided_at', { withTimezone: true }).notNull().defaultNow(),
});

/** An individual curriculum / route (ИУП / ИОМ) of a student for one academic year. */
export const routes = coursesSchema.table(
  'routes',
  {
    id: uuid('id').primaryKey(),
    studentId: uuid('student_id').notNull(),
    homeSchoolId: uuid('home_school_id').notNull(),
    academicYear: text('academic_year').notNull(),
    status: text('status').notNull().default('draft'),
    /** Route version: 1 until approved; a change after approval starts version n + 1. */
    routeVersion: integer('route_version').notNull().default(1),
    goals: text('goals'),
    mentorId: uuid('mentor_id'),
    individualProject: jsonb('individual_project').$type<{
      topic: string;
      subject?: string;
      supervisor?: string;
    }>(),
    orderNumber: text('order_number'),
    orderDate: date('order_date'),
    approvedBy: text('approved_by'),
    approvedAt: timestamp('approved_at', { withTimezone: true }),
    /** Optimistic concurrency of the record (ETag), distinct from routeVersion. */
    version: integer('version').notNull().default(1),
    ...timestamps,
  },
  (t) => [uniqueIndex('routes_student_year_idx').on(t.studentId, t.academicYear)],
);

/** One item of a route: an enrollment, or another activity. */
export const routeItems = coursesSchema.table(
  'route_items',
  {
    id: uuid('id').primaryKey(),
    routeId: uuid('route_id')
      .notNull()
      .references(() => routes.id),
    kind: text('kind').notNull(),
    enrollmentId: uuid('enrollment_id'),
    providerId: uuid('provider_id'),
    title: text('title').notNull(),
    subject: text('subject').notNull(),
    level: text('level').notNull().default('basic'),
    hours: numeric('hours', { mode: 'number' }).notNull(),
    topic: text('topic'),
    supervisor: text('supervisor'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('route_items_route_idx').on(t.routeId)],
);

/** The full history of a route: a snapshot per workflow step and per approved version. */
export const routeHistory = coursesSchema.table(
  'route_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    routeId: uuid('route_id')
      .notNull()
      .references(() => routes.id),
    routeVersion: integer('route_version').notNull(),
    action: text('action').notNull(),
    status: text('status').notNull(),
    snapshot: jsonb('snapshot').notNull(),
    actorId: text('actor_id').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('route_history_route_idx').on(t.routeId)],
);

/** Read model of registry's organisations, built from its events. */
export const organisationView = coursesSchema.table('organisation_view', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  shortName: text('short_name'),
  kind: text('kind').notNull(),
  isHub: boolean('is_hub').notNull(),
  status: text('status').notNull(),
  version: integer('version').notNull(),
});

/** Read model of registry's people (names, birth date, roles), built from its events. */
export const personView = coursesSchema.table(
  'person_view',
  {
    id: uuid('id').primaryKey(),
    givenName: text('given_name').notNull(),
    familyName: text('family_name').notNull(),
    middleName: text('middle_name'),
    birthDate: date('birth_date'),
    roles: jsonb('roles')
      .$type<{ role: string; organisationId: string; grade?: number | null; studentId?: string | null }[]>()
      .notNull(),
    /** The organisation of the person's student role (their home school), for quick filters. */
    homeSchoolId: uuid('home_school_id'),
    status: text('status').notNull(),
    version: integer('version').notNull(),
  },
  (t) => [index('person_view_home_school_idx').on(t.homeSchoolId)],
);

export const idempotencyKeys = defineIdempotencyTable(coursesSchema);
/** Who saw or changed whose enrollments, routes and training records (libs/db, ARCHITECTURE "Identity and access"). */
export const personalDataAccess = definePersonalDataAccessTable(coursesSchema);
export const outbox = defineOutboxTable(coursesSchema);
export const inbox = defineInboxTable(coursesSchema);
