import {
  defineIdempotencyTable,
  defineInboxTable,
  defineOutboxTable,
  definePersonalDataAccessTable,
} from '@mathnet/db';
import { sql } from 'drizzle-orm';
import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgSchema,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** Everything registry stores lives in its own PostgreSQL schema. */
export const registrySchema = pgSchema('registry');

export interface Contacts {
  email?: string;
  phone?: string;
  website?: string;
}

export interface Address {
  city?: string;
  street?: string;
  postalCode?: string;
  region?: string;
}

export const organisations = registrySchema.table(
  'organisations',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    shortName: text('short_name'),
    kind: text('kind').notNull(),
    isHub: boolean('is_hub').notNull().default(false),
    address: jsonb('address').$type<Address>(),
    contacts: jsonb('contacts').$type<Contacts>(),
    profiles: text('profiles').array().notNull().default(sql`'{}'::text[]`),
    status: text('status').notNull().default('active'),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('organisations_kind_idx').on(t.kind)],
);

export const people = registrySchema.table(
  'people',
  {
    id: uuid('id').primaryKey(),
    givenName: text('given_name').notNull(),
    familyName: text('family_name').notNull(),
    middleName: text('middle_name'),
    birthDate: date('birth_date'),
    contacts: jsonb('contacts').$type<Contacts>(),
    status: text('status').notNull().default('active'),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('people_family_name_idx').on(t.familyName)],
);

export const roleAssignments = registrySchema.table(
  'role_assignments',
  {
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    role: text('role').notNull(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id),
    grade: smallint('grade'),
    classLetter: text('class_letter'),
    /** For a parent: the student (person id) they are the parent of. */
    studentId: uuid('student_id'),
    position: smallint('position').notNull().default(0),
  },
  (t) => [
    index('role_assignments_org_role_idx').on(t.organisationId, t.role),
    index('role_assignments_person_idx').on(t.personId),
  ],
);

/** Login accounts: one per person at most, found by e-mail (lower-cased). */
export const accounts = registrySchema.table(
  'accounts',
  {
    personId: uuid('person_id')
      .primaryKey()
      .references(() => people.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    disabled: boolean('disabled').notNull().default(false),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('accounts_email_idx').on(t.email)],
);

/**
 * Failed attempts to change an account's password (a wrong current password), kept for
 * the window in which they count: a stolen access token must not turn into unlimited
 * guesses at the password (sign-in failures are limited at the gateway, ADR 0004).
 */
export const passwordChangeFailures = registrySchema.table(
  'password_change_failures',
  {
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('password_change_failures_person_idx').on(t.personId, t.at)],
);

/** Machine clients of a school (OAuth client_credentials), e.g. its LMS integration. */
export const clients = registrySchema.table('clients', {
  clientId: text('client_id').primaryKey(),
  name: text('name').notNull(),
  organisationId: uuid('organisation_id')
    .notNull()
    .references(() => organisations.id),
  secretHash: text('secret_hash').notNull(),
  createdBy: uuid('created_by'),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Refresh tokens, stored hashed. Every rotation adds a row to the same family;
 * presenting a used token again revokes the whole family (reuse detection, RFC 6819 §5.2.2.3).
 */
export const refreshTokens = registrySchema.table(
  'refresh_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    familyId: uuid('family_id').notNull(),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('refresh_tokens_family_idx').on(t.familyId)],
);

/** The RS256 key pairs registry signs tokens with; generated on first start. */
export const signingKeys = registrySchema.table('signing_keys', {
  kid: text('kid').primaryKey(),
  privateKeyPem: text('private_key_pem').notNull(),
  publicKeyPem: text('public_key_pem').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  retiredAt: timestamp('retired_at', { withTimezone: true }),
});

/**
 * Consents to the processing of a person's data (152-ФЗ), one row per consent given: who gave
 * it, when, for what, on what evidence, and who withdrew it when. Never deleted: a withdrawn
 * consent stays as history, and a new one is a new row. At most one granted per purpose.
 */
export const consents = registrySchema.table(
  'consents',
  {
    id: uuid('id').primaryKey(),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    purpose: text('purpose').notNull(),
    status: text('status').notNull(),
    grantedBy: text('granted_by').notNull(),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull().defaultNow(),
    evidence: text('evidence'),
    withdrawnBy: text('withdrawn_by'),
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
  },
  (t) => [
    index('consents_person_idx').on(t.personId, t.grantedAt),
    uniqueIndex('consents_one_granted_idx').on(t.personId, t.purpose).where(sql`status = 'granted'`),
  ],
);

export const idempotencyKeys = defineIdempotencyTable(registrySchema);
export const outbox = defineOutboxTable(registrySchema);
export const inbox = defineInboxTable(registrySchema);

/**
 * Who touched whose personal data, when and how (ARCHITECTURE: "access to personal data
 * is audit-logged"). One row per request: a read of one record, a page of a list, a
 * create or an update. Append-only; rows are never changed by the service.
 */
export const personalDataAccess = definePersonalDataAccessTable(registrySchema);
