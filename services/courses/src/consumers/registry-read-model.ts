import { type EventBus, PermanentError, type Subscription } from '@mathnet/bus';
import {
  newestSnapshotsById,
  organisationSnapshotSchema,
  type PersonSnapshot,
  peopleChangedSchema,
  personSnapshotSchema,
} from '@mathnet/contracts';
import { type Db, inboxHandler, type Tx } from '@mathnet/db';
import type { Logger } from '@mathnet/kit';
import { sql } from 'drizzle-orm';
import type { z } from 'zod';
import { inbox, organisationView, personView } from '../store/schema';

export const registryReadModelGroup = 'courses.registry-read-model';

/** An event whose data breaks its contract can never succeed: park it in the dead letters at once. */
function parseOrPark<S extends z.ZodType>(schema: S, data: unknown, type: string): z.infer<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw new PermanentError(`${type} data breaks its contract: ${result.error.message}`);
  return result.data;
}

/**
 * Keeps local copies of registry's organisations and people so courses answers
 * without calling registry. People come one per event (`person.registered` /
 * `person.updated`, changes made through registry's API) or a whole batch per event
 * (`people.changed`, an LMS sync page: ADR 0007); either way one transaction with one
 * inbox row. Idempotent twice over: the inbox drops a redelivered event, and a row
 * only changes when its `version` is newer, so events (batch or single) arriving out
 * of order never roll a row back.
 */
export async function subscribeRegistryReadModel(
  bus: EventBus,
  db: Db,
  logger: Logger,
): Promise<Subscription> {
  return bus.subscribe({
    group: registryReadModelGroup,
    patterns: [
      'mathnet.registry.organisation.*',
      'mathnet.registry.person.*',
      'mathnet.registry.people.changed',
    ],
    handler: inboxHandler({
      db,
      inbox,
      group: registryReadModelGroup,
      handle: async (event, tx) => {
        if (event.type === 'mathnet.registry.people.changed') {
          const batch = parseOrPark(peopleChangedSchema, event.data, event.type);
          await upsertPersonViews(
            tx,
            batch.people.map((p) => p.person),
          );
          logger.debug({ eventId: event.id, people: batch.people.length }, 'person views updated');
          return;
        }
        if (event.type.startsWith('mathnet.registry.organisation.')) {
          const org = parseOrPark(organisationSnapshotSchema, event.data, event.type);
          const row = {
            id: org.id,
            name: org.name,
            shortName: org.shortName,
            kind: org.kind,
            isHub: org.isHub,
            status: org.status,
            version: org.version,
          };
          await tx
            .insert(organisationView)
            .values(row)
            .onConflictDoUpdate({
              target: organisationView.id,
              set: row,
              setWhere: sql`${organisationView.version} < excluded.version`,
            });
          return;
        }
        const person = parseOrPark(personSnapshotSchema, event.data, event.type);
        await upsertPersonViews(tx, [person]);
        logger.debug({ personId: person.id, version: person.version }, 'person view updated');
      },
    }),
  });
}

/**
 * Writes many people in one statement (arrays through `unnest`), each only over an older
 * version. Within the call, a person listed twice keeps the higher version (one statement may
 * not touch a row twice); rows go in id order so concurrent batches lock without deadlocks.
 */
async function upsertPersonViews(tx: Tx, snapshots: PersonSnapshot[]): Promise<void> {
  const rows = newestSnapshotsById(snapshots);
  if (rows.length === 0) return;
  const p = (values: unknown[]) => sql.param(values);
  await tx.execute(sql`
    insert into ${personView} as v
      (id, given_name, family_name, middle_name, birth_date, roles, home_school_id, status, version)
    select * from unnest(${p(rows.map((r) => r.id))}::uuid[], ${p(rows.map((r) => r.givenName))}::text[],
      ${p(rows.map((r) => r.familyName))}::text[], ${p(rows.map((r) => r.middleName))}::text[],
      ${p(rows.map((r) => r.birthDate ?? null))}::date[], ${p(rows.map((r) => JSON.stringify(r.roles)))}::jsonb[],
      ${p(rows.map((r) => r.roles.find((role) => role.role === 'student')?.organisationId ?? null))}::uuid[],
      ${p(rows.map((r) => r.status))}::text[], ${p(rows.map((r) => r.version))}::int[])
    on conflict (id) do update set given_name = excluded.given_name, family_name = excluded.family_name,
      middle_name = excluded.middle_name, birth_date = excluded.birth_date, roles = excluded.roles,
      home_school_id = excluded.home_school_id, status = excluded.status, version = excluded.version
      where v.version < excluded.version`);
}
