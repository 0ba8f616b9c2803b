import { type EventBus, PermanentError, type Subscription } from '@mathnet/bus';
import { organisationSnapshotSchema, personSnapshotSchema } from '@mathnet/contracts';
import { type Db, inboxHandler } from '@mathnet/db';
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
 * without calling registry. Idempotent twice over: the inbox drops a redelivered
 * event, and an upsert only wins when its `version` is newer, so events arriving
 * out of order never roll a row back.
 */
export async function subscribeRegistryReadModel(
  bus: EventBus,
  db: Db,
  logger: Logger,
): Promise<Subscription> {
  return bus.subscribe({
    group: registryReadModelGroup,
    patterns: ['mathnet.registry.organisation.*', 'mathnet.registry.person.*'],
    handler: inboxHandler({
      db,
      inbox,
      group: registryReadModelGroup,
      handle: async (event, tx) => {
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
        const row = {
          id: person.id,
          givenName: person.givenName,
          familyName: person.familyName,
          middleName: person.middleName,
          birthDate: person.birthDate ?? null,
          roles: person.roles,
          homeSchoolId: person.roles.find((r) => r.role === 'student')?.organisationId ?? null,
          status: person.status,
          version: person.version,
        };
        await tx
          .insert(personView)
          .values(row)
          .onConflictDoUpdate({
            target: personView.id,
            set: row,
            setWhere: sql`${personView.version} < excluded.version`,
          });
        logger.debug({ personId: person.id, version: person.version }, 'person view updated');
      },
    }),
  });
}
