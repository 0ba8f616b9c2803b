import { type EventBus, PermanentError, type Subscription } from '@mathnet/bus';
import { type CloudEvent, type LmsPersonFact, lmsPeopleSyncedSchema } from '@mathnet/contracts';
import { consumeOnce, type Emit, type Tx, type UnitOfWork } from '@mathnet/db';
import type { Logger } from '@mathnet/kit';
import { and, asc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Person } from '../http/schemas';
import { personSnapshot } from '../store/person-store';
import { accounts, inbox, organisations, people, roleAssignments } from '../store/schema';

/** The consumer group (and queue) of people facts from lms-bridge. */
export const lmsPeopleGroup = 'registry.lms-people';

type PersonRow = typeof people.$inferSelect;
type RoleRow = typeof roleAssignments.$inferSelect;
type PersonRole = Person['roles'][number];

/**
 * The role kinds an LMS gives and takes at its school. Others there (school_admin, partner, ...)
 * are never its to change: an LMS administrator does not become a network coordinator (ADR 0006),
 * so an LMS does not remove one either, and a `school_admin` in a fact is ignored.
 */
const lmsRoleKinds: string[] = ['student', 'teacher', 'parent'];
const chunkSize = 1000;

/** What one batch did, for the log line. */
export interface LmsPeopleCounts {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
}

/**
 * Keeps registry's people in step with a school's LMS (`mathnet.lms.people.synced`).
 * One batch is one transaction: the inbox row, every change and every
 * `person.registered` / `person.updated` event commit together, so a redelivered
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
  return bus.subscribe({
    group: lmsPeopleGroup,
    patterns: ['mathnet.lms.people.synced'],
    handler: async (event) => {
      const batch = parseBatch(event);
      let counts: LmsPeopleCounts | undefined;
      // The inbox row, the changes and the outbox rows of the events: one transaction.
      const fresh = await work.run((tx, emit) =>
        consumeOnce(tx, inbox, { group: lmsPeopleGroup, eventId: event.id }, async (inner) => {
          counts = await applyPeopleBatch(inner, emit, batch);
        }),
      );
      if (fresh)
        logger.info({ eventId: event.id, runId: batch.runId, ...counts }, 'lms people batch applied');
      else logger.debug({ eventId: event.id }, 'lms people batch already applied');
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

/** Applies one batch inside the caller's transaction; emits the person events. */
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
  const ids = facts.map((f) => f.id);
  // Locked in id order: concurrent batches and API edits of the same people serialise without deadlocks.
  const rows = await tx
    .select()
    .from(people)
    .where(inArray(people.id, ids))
    .orderBy(asc(people.id))
    .for('update');
  const known = new Map(rows.map((r) => [r.id, r]));
  const knownIds = [...known.keys()];
  const [roleRows, accountRows] = knownIds.length
    ? await Promise.all([
        tx.select().from(roleAssignments).where(inArray(roleAssignments.personId, knownIds)),
        tx
          .select({ personId: accounts.personId, email: accounts.email })
          .from(accounts)
          .where(inArray(accounts.personId, knownIds)),
      ])
    : [[], []];
  const rolesOf = groupBy(roleRows, (r) => r.personId);
  const accountOf = new Map(accountRows.map((a) => [a.personId, a.email]));

  const now = new Date();
  const inserts: (typeof people.$inferInsert)[] = [];
  const updates: PersonRow[] = [];
  const replaced: string[] = [];
  const roleInserts: (typeof roleAssignments.$inferInsert)[] = [];
  const events: { type: 'registered' | 'updated'; person: Person }[] = [];
  const counts: LmsPeopleCounts = { created: 0, updated: 0, unchanged: 0, skipped: 0 };

  for (const fact of facts) {
    const current = known.get(fact.id);
    const factRoles = fact.active ? lmsRolesOf(fact) : [];
    if (!current) {
      if (!fact.active) {
        counts.skipped++; // gone from the LMS before the network ever knew them
        continue;
      }
      const email = validEmail(fact.email);
      const row: PersonRow = {
        id: fact.id,
        givenName: fact.givenName,
        familyName: fact.familyName,
        middleName: fact.middleName,
        birthDate: validDate(fact.birthDate),
        contacts: email ? { email } : null,
        status: factRoles.length ? 'active' : 'archived',
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      inserts.push(row);
      const roles = factRoles.map((r, position) => ({
        ...r,
        personId: fact.id,
        organisationId: orgId,
        position,
      }));
      roleInserts.push(...roles);
      events.push({ type: 'registered', person: toPerson(row, roles, null) });
      counts.created++;
      continue;
    }
    const held = (rolesOf.get(fact.id) ?? []).sort((a, b) => a.position - b.position);
    const isLms = (r: RoleRow) => r.organisationId === orgId && lmsRoleKinds.includes(r.role);
    const kept = held.filter((r) => !isLms(r));
    const before = held.filter(isLms);
    const rolesChanged = keysOf(before) !== keysOf(factRoles);
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
    updates.push(next);
    let roles: RoleRow[] = held;
    if (rolesChanged) {
      replaced.push(fact.id);
      const from = Math.max(-1, ...kept.map((r) => r.position)) + 1;
      const added = factRoles.map((r, i) => ({
        ...r,
        personId: fact.id,
        organisationId: orgId,
        position: from + i,
      }));
      roleInserts.push(...added);
      roles = [...kept, ...added];
    }
    events.push({ type: 'updated', person: toPerson(next, roles, accountOf.get(fact.id) ?? null) });
    counts.updated++;
  }

  for (const part of chunks(inserts)) await tx.insert(people).values(part);
  if (replaced.length) {
    await tx
      .delete(roleAssignments)
      .where(
        and(
          inArray(roleAssignments.personId, replaced),
          eq(roleAssignments.organisationId, orgId),
          inArray(roleAssignments.role, lmsRoleKinds),
        ),
      );
  }
  for (const part of chunks(updates)) await updatePeople(tx, part);
  for (const part of chunks(roleInserts)) await tx.insert(roleAssignments).values(part);
  for (const { type, person } of events) {
    emit({ type: `mathnet.registry.person.${type}`, subject: person.id, data: personSnapshot(person) });
  }
  return counts;
}

/** One UPDATE for many people, each with its own values. */
async function updatePeople(tx: Tx, rows: PersonRow[]): Promise<void> {
  const values: SQL[] = rows.map(
    (r) =>
      sql`(${r.id}::uuid, ${r.givenName}::text, ${r.familyName}::text, ${r.middleName}::text, ${r.birthDate}::date, ${r.contacts === null ? null : JSON.stringify(r.contacts)}::jsonb, ${r.status}::text, ${r.version}::int, ${r.updatedAt.toISOString()}::timestamptz)`,
  );
  await tx.execute(sql`
    update ${people} set given_name = v.given_name, family_name = v.family_name, middle_name = v.middle_name,
      birth_date = v.birth_date, contacts = v.contacts, status = v.status, version = v.version, updated_at = v.updated_at
    from (values ${sql.join(values, sql`, `)})
      as v(id, given_name, family_name, middle_name, birth_date, contacts, status, version, updated_at)
    where ${people.id} = v.id`);
}

/** The fact's roles as registry stores them: grade and class for students, the child for parents, no duplicates. */
function lmsRolesOf(fact: LmsPersonFact): Omit<RoleRow, 'personId' | 'organisationId' | 'position'>[] {
  const roles = fact.roles
    .filter((r) => lmsRoleKinds.includes(r.role))
    .map((r) => {
      const letter = r.classLetter?.trim() ?? '';
      return {
        role: r.role,
        grade: r.role === 'student' ? r.grade : null,
        // The network's class letter is 1-4 characters ("А", "10Б"); a longer LMS label is no class letter.
        classLetter: r.role === 'student' && letter.length > 0 && letter.length <= 4 ? letter : null,
        studentId: r.role === 'parent' ? r.studentId : null,
      };
    });
  return [...new Map(roles.map((r) => [roleKey(r), r])).values()];
}

type RoleFields = Pick<RoleRow, 'role' | 'grade' | 'classLetter' | 'studentId'>;
const roleKey = (r: RoleFields) => `${r.role}|${r.grade ?? ''}|${r.classLetter ?? ''}|${r.studentId ?? ''}`;
const keysOf = (roles: RoleFields[]) => roles.map(roleKey).sort().join('\n');

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

const isoDate = z.iso.date();
const email = z.email().max(254);

/** A birth date registry can store, or null (an LMS may send "" or a malformed date). */
function validDate(value: string | null): string | null {
  return value !== null && isoDate.safeParse(value).success && value >= '1900-01-01' ? value : null;
}

function validEmail(value: string | null): string | null {
  const trimmed = value?.trim();
  return trimmed && email.safeParse(trimmed).success ? trimmed : null;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function* chunks<T>(items: T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += chunkSize) yield items.slice(i, i + chunkSize);
}
