import { type EventBus, PermanentError, type Subscription } from '@mathnet/bus';
import {
  newestSnapshotsById,
  type PersonSnapshot,
  peopleChangedSchema,
  personSnapshotSchema,
} from '@mathnet/contracts';
import { type Db, inboxHandler, type Tx } from '@mathnet/db';
import { sql } from 'drizzle-orm';
import { inbox, personView } from '../store/schema';

export const registryPeopleGroup = 'lms-bridge.registry-people';

/**
 * People already in the network (names, birth date, e-mail hash, schools), so a
 * sync matches LMS users to them instead of creating duplicates. One person per
 * `person.registered` / `person.updated` event, or a whole batch per
 * `people.changed` event (ADR 0007), each event in one transaction with its inbox
 * row. Newer versions win; duplicates and reordering are harmless.
 */
export function subscribeRegistryPeople(bus: EventBus, db: Db): Promise<Subscription> {
  return bus.subscribe({
    group: registryPeopleGroup,
    patterns: ['mathnet.registry.person.*', 'mathnet.registry.people.changed'],
    prefetch: 64,
    handler: inboxHandler({
      db,
      inbox,
      group: registryPeopleGroup,
      handle: async (event, tx) => {
        if (event.type === 'mathnet.registry.people.changed') {
          const parsed = peopleChangedSchema.safeParse(event.data);
          if (!parsed.success)
            throw new PermanentError(`${event.type} data breaks its contract: ${parsed.error.message}`);
          await upsertPeople(
            tx,
            parsed.data.people.map((p) => p.person),
          );
          return;
        }
        const parsed = personSnapshotSchema.safeParse(event.data);
        if (!parsed.success)
          throw new PermanentError(`${event.type} data breaks its contract: ${parsed.error.message}`);
        await upsertPeople(tx, [parsed.data]);
      },
    }),
  });
}

/**
 * Writes many people in one statement (arrays through `unnest`), each only over an older
 * version. A person listed twice keeps the higher version (one statement may not touch a row
 * twice); rows go in id order so concurrent batches lock without deadlocks.
 */
async function upsertPeople(tx: Tx, snapshots: PersonSnapshot[]): Promise<void> {
  const rows = newestSnapshotsById(snapshots);
  if (rows.length === 0) return;
  const p = (values: unknown[]) => sql.param(values);
  // A uuid[] per person cannot travel inside an array parameter: each goes as a comma-joined text.
  const organisations = rows.map((r) => [...new Set(r.roles.map((role) => role.organisationId))].join(','));
  await tx.execute(sql`
    insert into ${personView} as v
      (id, given_name, family_name, birth_date, email_hash, organisation_ids, version)
    select u.id, u.given_name, u.family_name, u.birth_date, u.email_hash,
      string_to_array(u.organisations, ',')::uuid[], u.version
    from unnest(${p(rows.map((r) => r.id))}::uuid[], ${p(rows.map((r) => r.givenName))}::text[],
      ${p(rows.map((r) => r.familyName))}::text[], ${p(rows.map((r) => r.birthDate ?? null))}::text[],
      ${p(rows.map((r) => r.emailHash ?? null))}::text[], ${p(organisations)}::text[],
      ${p(rows.map((r) => r.version))}::int[])
      as u(id, given_name, family_name, birth_date, email_hash, organisations, version)
    on conflict (id) do update set given_name = excluded.given_name, family_name = excluded.family_name,
      birth_date = excluded.birth_date, email_hash = excluded.email_hash,
      organisation_ids = excluded.organisation_ids, version = excluded.version
      where v.version < excluded.version`);
}
