import { type EventBus, PermanentError, type Subscription } from '@mathnet/bus';
import { personSnapshotSchema } from '@mathnet/contracts';
import { type Db, inboxHandler } from '@mathnet/db';
import { sql } from 'drizzle-orm';
import { inbox, personView } from '../store/schema';

export const registryPeopleGroup = 'lms-bridge.registry-people';

/**
 * People already in the network (names, birth date, e-mail hash, schools), so a
 * sync matches LMS users to them instead of creating duplicates. Newer versions
 * win; duplicates and reordering are harmless.
 */
export function subscribeRegistryPeople(bus: EventBus, db: Db): Promise<Subscription> {
  return bus.subscribe({
    group: registryPeopleGroup,
    patterns: ['mathnet.registry.person.*'],
    prefetch: 64,
    handler: inboxHandler({
      db,
      inbox,
      group: registryPeopleGroup,
      handle: async (event, tx) => {
        const parsed = personSnapshotSchema.safeParse(event.data);
        if (!parsed.success)
          throw new PermanentError(`${event.type} data breaks its contract: ${parsed.error.message}`);
        const p = parsed.data;
        const row = {
          id: p.id,
          givenName: p.givenName,
          familyName: p.familyName,
          birthDate: p.birthDate ?? null,
          emailHash: p.emailHash ?? null,
          organisationIds: [...new Set(p.roles.map((r) => r.organisationId))],
          version: p.version,
        };
        await tx
          .insert(personView)
          .values(row)
          .onConflictDoUpdate({
            target: personView.id,
            set: row,
            setWhere: sql`${personView.version} < excluded.version`,
          });
      },
    }),
  });
}
