import { type EventBus, OrderedOverlap, PermanentError, type Subscription } from '@mathnet/bus';
import {
  type CloudEvent,
  type LmsPersonFact,
  lmsPeopleSyncedSchema,
  type PeopleChanged,
  type PersonChange,
} from '@mathnet/contracts';
import { consumeOnce, type Emit, type Tx, type UnitOfWork } from '@mathnet/db';
import type { Logger } from '@mathnet/kit';
import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { Person } from '../http/schemas';
import {
  lockPeopleForBatch,
  type PeopleBatchWrite,
  personSnapshot,
  writePeopleBatch,
} from '../store/person-store';
import { inbox, organisations, type people, type roleAssignments } from '../store/schema';
import { lmsRoleKinds, lmsRolesOf, roleSetKey, validDate, validEmail } from './lms-person-fact';

/** The consumer group (and queue) of people facts from lms-bridge. */
export const lmsPeopleGroup = 'registry.lms-people';

/** The event announcing every person one LMS batch changed (ADR 0007). */
export const peopleChangedType = 'mathnet.registry.people.changed';

type PersonRow = typeof people.$inferSelect;
type RoleRow = typeof roleAssignments.$inferSelect;
type PersonRole = Person['roles'][number];

/** What one batch did, for the log line. */
export interface LmsPeopleCounts {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
}

/**
 * Keeps registry's people in step with a school's LMS (`mathnet.lms.people.synced`).
 * One batch is one transaction: the inbox row, every change and the one
 * `mathnet.registry.people.changed` event announcing them commit together, so a redelivered
 * batch has no second effect and no event is lost or sent for a rolled-back change.
 * The LMS owns only the student, teacher and parent roles at its own school: other
 * roles, roles elsewhere, accounts and people outside the batch are never touched; a
 * deactivated person loses those roles (and is archived when no role is left), never
 * deleted. A null middle name or birth date in a fact means "unknown", never "erase";
 * an e-mail fills `contacts.email` only where there is none yet.
 */
export async function subscribeLmsPeople(
  bus: EventBus,
  work: UnitOfWork,
  logger: Logger,
): Promise<Subscription> {
  // A run names each person once, so its batches may be applied side by side; a later run's
  // batches wait until the earlier run's are applied (a rename, then a rename back, must not swap).
  const order = new OrderedOverlap();
  return bus.subscribe({
    group: lmsPeopleGroup,
    patterns: ['mathnet.lms.people.synced'],
    // One registry replica at a time applies LMS people, so `order` sees the whole stream.
    singleActiveConsumer: true,
    handler: async (event) => {
      const batch = parseBatch(event);
      return order.run(batch.runId, async () => {
        let counts: LmsPeopleCounts | undefined;
        // The inbox row, the changes and the outbox row of the event: one transaction.
        const fresh = await work.run((tx, emit) =>
          consumeOnce(tx, inbox, { group: lmsPeopleGroup, eventId: event.id }, async (inner) => {
            counts = await applyPeopleBatch(inner, emit, batch);
          }),
        );
        if (fresh)
          logger.info({ eventId: event.id, runId: batch.runId, ...counts }, 'lms people batch applied');
        else logger.debug({ eventId: event.id }, 'lms people batch already applied');
      });
    },
  });
}

type PeopleBatch = z.infer<typeof lmsPeopleSyncedSchema>;

function parseBatch(event: CloudEvent): PeopleBatch {
  const parsed = lmsPeopleSyncedSchema.safeParse(event.data);
  // A batch breaking its contract can never succeed: park it in the dead letters at once.
  if (!parsed.success)
    throw new PermanentError(`${event.type} data breaks its contract: ${parsed.error.message}`);
  return parsed.data;
}

/**
 * Applies one batch inside the caller's transaction in a fixed, small number of statements
 * (check the school, lock and read the people, write everything) and emits one
 * `people.changed` event listing every person it registered or updated (none when nothing changed).
 */
export async function applyPeopleBatch(tx: Tx, emit: Emit, batch: PeopleBatch): Promise<LmsPeopleCounts> {
  const orgId = batch.organisationId;
  const [org] = await tx
    .select({ id: organisations.id })
    .from(organisations)
    .where(eq(organisations.id, orgId));
  if (!org)
    throw new PermanentError(
      `organisation ${orgId} of LMS connection ${batch.connectionId} is not in the registry`,
    );
  const facts = [...new Map(batch.people.map((f) => [f.id, f])).values()];
  const known = new Map(
    (
      await lockPeopleForBatch(
        tx,
        facts.map((f) => f.id),
      )
    ).map((p) => [p.row.id, p]),
  );

  const now = new Date();
  const write: PeopleBatchWrite = {
    people: [],
    at: now,
    dropRoles: { personIds: [], organisationId: orgId, roles: lmsRoleKinds },
    addRoles: [],
  };
  const changes: PersonChange[] = [];
  const counts: LmsPeopleCounts = { created: 0, updated: 0, unchanged: 0, skipped: 0 };

  for (const fact of facts) {
    const stored = known.get(fact.id);
    const factRoles = fact.active ? lmsRolesOf(fact) : [];
    if (!stored) {
      if (!fact.active) {
        counts.skipped++; // gone from the LMS before the network ever knew them
        continue;
      }
      const row = newPerson(fact, factRoles.length > 0, now);
      const roles = factRoles.map((r, position) => ({
        ...r,
        personId: fact.id,
        organisationId: orgId,
        position,
      }));
      write.people.push(row);
      write.addRoles.push(...roles);
      changes.push({ change: 'registered', person: personSnapshot(toPerson(row, roles, null)) });
      counts.created++;
      continue;
    }
    const current = stored.row;
    const held = stored.roles;
    const isLms = (r: RoleRow) => r.organisationId === orgId && lmsRoleKinds.includes(r.role);
    const kept = held.filter((r) => !isLms(r));
    const before = held.filter(isLms);
    const rolesChanged = roleSetKey(before) !== roleSetKey(factRoles);
    const hasRoles = kept.length + factRoles.length > 0;
    // Reactivate only a person the LMS had dropped: one the district archived while they kept their roles stays archived.
    const status = !hasRoles
      ? 'archived'
      : current.status === 'archived' && fact.active && factRoles.length > 0 && before.length === 0
        ? 'active'
        : current.status;
    const email = validEmail(fact.email);
    const next: PersonRow = {
      ...current,
      // An inactive fact only takes roles away; a null in the LMS means "unknown", not "erase".
      ...(fact.active
        ? {
            givenName: fact.givenName,
            familyName: fact.familyName,
            middleName: fact.middleName ?? current.middleName,
            birthDate: validDate(fact.birthDate) ?? current.birthDate,
            contacts: !current.contacts?.email && email ? { ...current.contacts, email } : current.contacts,
          }
        : {}),
      status,
    };
    const fieldsChanged =
      next.givenName !== current.givenName ||
      next.familyName !== current.familyName ||
      next.middleName !== current.middleName ||
      next.birthDate !== current.birthDate ||
      next.contacts !== current.contacts ||
      next.status !== current.status;
    if (!fieldsChanged && !rolesChanged) {
      counts.unchanged++;
      continue;
    }
    next.version = current.version + 1;
    next.updatedAt = now;
    write.people.push(next);
    let roles: RoleRow[] = held;
    if (rolesChanged) {
      write.dropRoles.personIds.push(fact.id);
      const from = Math.max(-1, ...kept.map((r) => r.position)) + 1;
      const added = factRoles.map((r, i) => ({
        ...r,
        personId: fact.id,
        organisationId: orgId,
        position: from + i,
      }));
      write.addRoles.push(...added);
      roles = [...kept, ...added];
    }
    changes.push({ change: 'updated', person: personSnapshot(toPerson(next, roles, stored.accountEmail)) });
    counts.updated++;
  }

  await writePeopleBatch(tx, write);
  // One event per applied batch; a batch never exceeds the event's 1,000 people (lms.people.synced's own limit).
  for (let i = 0; i < changes.length; i += 1000) {
    const data: PeopleChanged = {
      people: changes.slice(i, i + 1000),
      source: { runId: batch.runId, connectionId: batch.connectionId },
    };
    emit({ type: peopleChangedType, subject: orgId, data });
  }
  return counts;
}

function newPerson(fact: LmsPersonFact, hasRoles: boolean, now: Date): PersonRow {
  const email = validEmail(fact.email);
  return {
    id: fact.id,
    givenName: fact.givenName,
    familyName: fact.familyName,
    middleName: fact.middleName,
    birthDate: validDate(fact.birthDate),
    contacts: email ? { email } : null,
    status: hasRoles ? 'active' : 'archived',
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
}

function toPerson(row: PersonRow, roles: RoleRow[], accountEmail: string | null): Person {
  return {
    id: row.id,
    givenName: row.givenName,
    familyName: row.familyName,
    middleName: row.middleName,
    birthDate: row.birthDate,
    contacts: row.contacts ?? null,
    roles: [...roles]
      .sort((a, b) => a.position - b.position)
      .map((r) => ({
        role: r.role as PersonRole['role'],
        organisationId: r.organisationId,
        grade: r.grade,
        classLetter: r.classLetter,
        studentId: r.studentId,
      })),
    account: accountEmail ? { email: accountEmail } : null,
    status: row.status as Person['status'],
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
