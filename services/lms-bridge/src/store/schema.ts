import { defineInboxTable, defineOutboxTable } from '@mathnet/db';
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/** Everything lms-bridge stores lives in its own PostgreSQL schema. */
export const bridgeSchema = pgSchema('lms_bridge');

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => Buffer.from(value),
});

export interface RunCounts {
  created: number;
  updated: number;
  deactivated: number;
  unchanged: number;
  failed: number;
}

export interface RunError {
  entity: string;
  sourcedId?: string;
  file?: string;
  line?: number;
  reason: string;
}

/** A school's LMS plugged into the network: which connector, its settings, its secrets (encrypted). */
export const connections = bridgeSchema.table(
  'connections',
  {
    id: uuid('id').primaryKey(),
    organisationId: uuid('organisation_id').notNull(),
    connectorId: text('connector_id').notNull(),
    name: text('name').notNull(),
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull(),
    /** AES-256-GCM sealed JSON of the secrets (never returned by the API). */
    secretsSealed: text('secrets_sealed'),
    status: text('status').notNull().default('active'),
    /** Minutes between scheduled syncs; null: manual, imports and webhooks only. */
    scheduleMinutes: integer('schedule_minutes'),
    /** Token that authenticates the LMS's webhook calls (kept sealed like secrets). */
    webhookTokenHash: text('webhook_token_hash'),
    lastRunAt: timestamp('last_run_at', { withTimezone: true }),
    lastError: text('last_error'),
    version: integer('version').notNull().default(1),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [index('connections_org_idx').on(t.organisationId)],
);

/** Uploaded import files (e.g. a OneRoster CSV zip), kept so an interrupted run can start again. */
export const uploads = bridgeSchema.table('uploads', {
  id: uuid('id').primaryKey(),
  connectionId: uuid('connection_id').notNull(),
  data: bytea('data').notNull(),
  size: integer('size').notNull(),
  sha256: text('sha256').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Sync runs: queued, running (with a heartbeat and a checkpoint), succeeded or failed, with their report. */
export const runs = bridgeSchema.table(
  'runs',
  {
    id: uuid('id').primaryKey(),
    connectionId: uuid('connection_id').notNull(),
    organisationId: uuid('organisation_id').notNull(),
    trigger: text('trigger').notNull(),
    uploadId: uuid('upload_id'),
    status: text('status').notNull().default('queued'),
    counts: jsonb('counts')
      .$type<RunCounts>()
      .notNull()
      .default(sql`'{"created":0,"updated":0,"deactivated":0,"unchanged":0,"failed":0}'::jsonb`),
    errors: jsonb('errors').$type<RunError[]>().notNull().default(sql`'[]'::jsonb`),
    /** Pages already applied per entity type, so a resumed run skips them. */
    checkpoint: jsonb('checkpoint').$type<Record<string, number>>().notNull().default(sql`'{}'::jsonb`),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('runs_status_idx').on(t.status, t.createdAt),
    index('runs_connection_idx').on(t.connectionId, t.createdAt),
  ],
);

/**
 * External id → network id, per connection and entity type, with a fingerprint
 * of what was last applied (a record whose fingerprint did not change is
 * `unchanged`, writes nothing and emits nothing) and the last run that wrote
 * it. A bulk run keeps which ids it saw in memory and deactivates the other
 * active mappings at its end (see sync/deactivate-unseen.ts).
 */
export const mappings = bridgeSchema.table(
  'mappings',
  {
    connectionId: uuid('connection_id').notNull(),
    entity: text('entity').notNull(),
    sourceId: text('source_id').notNull(),
    networkId: uuid('network_id').notNull(),
    fingerprint: text('fingerprint').notNull(),
    active: boolean('active').notNull().default(true),
    /** The last run that wrote this mapping (an unchanged record is not written again). */
    lastSeenRun: uuid('last_seen_run').notNull(),
    /** What later records need of this one (e.g. a session's dates, a user's role), small JSON. */
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.connectionId, t.entity, t.sourceId] }),
    index('mappings_network_idx').on(t.entity, t.networkId),
  ],
);

/** Read model of registry's people, for matching LMS users to people already in the network. */
export const personView = bridgeSchema.table(
  'person_view',
  {
    id: uuid('id').primaryKey(),
    givenName: text('given_name').notNull(),
    familyName: text('family_name').notNull(),
    birthDate: text('birth_date'),
    emailHash: text('email_hash'),
    organisationIds: uuid('organisation_ids').array().notNull(),
    version: integer('version').notNull(),
  },
  (t) => [
    index('person_view_email_idx').on(t.emailHash),
    index('person_view_name_idx').on(t.familyName, t.givenName),
  ],
);

/** Enrollments pushed to an LMS, with their outcome (failures are visible and retried). */
export const pushes = bridgeSchema.table(
  'pushes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    connectionId: uuid('connection_id').notNull(),
    enrollmentId: uuid('enrollment_id').notNull(),
    action: text('action').notNull(),
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('pushes_connection_idx').on(t.connectionId)],
);

export const outbox = defineOutboxTable(bridgeSchema);
export const inbox = defineInboxTable(bridgeSchema);
