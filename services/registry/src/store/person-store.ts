import { createHash } from 'node:crypto';
import type { PersonSnapshot } from '@mathnet/contracts';
import type { Db, Tx } from '@mathnet/db';
import { and, asc, type Column, eq, exists, gt, ilike, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { Person, PersonCreate, PersonPatch, RoleInput } from '../http/schemas';
import { accounts, people, roleAssignments } from './schema';

type PersonRow = typeof people.$inferSelect;
type RoleRow = typeof roleAssignments.$inferSelect;

function toPerson(row: PersonRow, roles: RoleRow[], email: string | null): Person {
  return {
    id: row.id,
    givenName: row.givenName,
    familyName: row.familyName,
    middleName: row.middleName,
    birthDate: row.birthDate,
    contacts: row.contacts ?? null,
    roles: roles
      .sort((a, b) => a.position - b.position)
      .map((r) => ({
        role: r.role as Person['roles'][number]['role'],
        organisationId: r.organisationId,
        grade: r.grade,
        classLetter: r.classLetter,
        studentId: r.studentId,
      })),
    account: email ? { email } : null,
    status: row.status as Person['status'],
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** SHA-256 hex of a lower-cased, trimmed e-mail (null when there is none). */
export function emailHashOf(email: string | null | undefined): string | null {
  return email ? createHash('sha256').update(email.trim().toLowerCase()).digest('hex') : null;
}

/** What the person events carry: names, birth date and roles; never contacts. */
export function personSnapshot(person: Person): PersonSnapshot {
  return {
    id: person.id,
    givenName: person.givenName,
    familyName: person.familyName,
    middleName: person.middleName,
    birthDate: person.birthDate,
    emailHash: emailHashOf(person.account?.email ?? person.contacts?.email),
    roles: person.roles,
    status: person.status,
    version: person.version,
  };
}

async function hydrate(db: Db | Tx, rows: PersonRow[]): Promise<Person[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [roles, emails] = await Promise.all([
    db.select().from(roleAssignments).where(inArray(roleAssignments.personId, ids)),
    db
      .select({ personId: accounts.personId, email: accounts.email })
      .from(accounts)
      .where(inArray(accounts.personId, ids)),
  ]);
  const emailOf = new Map(emails.map((e) => [e.personId, e.email]));
  return rows.map((row) =>
    toPerson(
      row,
      roles.filter((r) => r.personId === row.id),
      emailOf.get(row.id) ?? null,
    ),
  );
}

function roleValues(personId: string, roles: RoleInput[]) {
  return roles.map((r, position) => ({
    personId,
    role: r.role,
    organisationId: r.organisationId,
    grade: r.grade ?? null,
    classLetter: r.classLetter ?? null,
    studentId: r.studentId ?? null,
    position,
  }));
}

export async function insertPerson(tx: Tx, id: string, input: Omit<PersonCreate, 'account'>): Promise<void> {
  await tx.insert(people).values({
    id,
    givenName: input.givenName,
    familyName: input.familyName,
    middleName: input.middleName ?? null,
    birthDate: input.birthDate ?? null,
    contacts: input.contacts ?? null,
  });
  await tx.insert(roleAssignments).values(roleValues(id, input.roles));
}

export async function findPerson(db: Db | Tx, id: string, forUpdate = false): Promise<Person | undefined> {
  const query = db.select().from(people).where(eq(people.id, id));
  const rows = forUpdate ? await query.for('update') : await query;
  const [person] = await hydrate(db, rows);
  return person;
}

export async function updatePerson(tx: Tx, current: Person, patch: PersonPatch): Promise<void> {
  const { roles, ...fields } = patch;
  await tx
    .update(people)
    .set({ ...fields, version: current.version + 1, updatedAt: new Date() })
    .where(eq(people.id, current.id));
  if (roles) {
    await tx.delete(roleAssignments).where(eq(roleAssignments.personId, current.id));
    await tx.insert(roleAssignments).values(roleValues(current.id, roles));
  }
}

export interface PersonFilter {
  organisationId?: string;
  role?: string;
  grade?: number;
  q?: string;
  /** Only people with a role at one of these organisations, or who are one of `selfIds`. */
  scope?: { organisations: string[]; selfIds: string[] };
  afterId?: string;
  limit: number;
}

function hasRoleWhere(...conditions: SQL[]): SQL {
  return exists(
    sql`(select 1 from ${roleAssignments} where ${and(eq(roleAssignments.personId, people.id), ...conditions)})`,
  );
}

/** A page of people ordered by id (`limit + 1` rows, see pageOf). */
export async function listPeople(db: Db, filter: PersonFilter): Promise<Person[]> {
  const conditions: SQL[] = [];
  const roleConditions: SQL[] = [];
  if (filter.organisationId) roleConditions.push(eq(roleAssignments.organisationId, filter.organisationId));
  if (filter.role) roleConditions.push(eq(roleAssignments.role, filter.role));
  if (filter.grade !== undefined) roleConditions.push(eq(roleAssignments.grade, filter.grade));
  if (roleConditions.length) conditions.push(hasRoleWhere(...roleConditions));
  if (filter.scope) {
    const scoped: SQL[] = [];
    if (filter.scope.organisations.length) {
      scoped.push(hasRoleWhere(inArray(roleAssignments.organisationId, filter.scope.organisations)));
    }
    if (filter.scope.selfIds.length) scoped.push(inArray(people.id, filter.scope.selfIds));
    conditions.push(scoped.length ? or(...scoped)! : sql`false`);
  }
  if (filter.q) {
    for (const word of filter.q.split(/\s+/).slice(0, 3)) {
      const pattern = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      conditions.push(
        or(
          ilike(people.familyName, pattern),
          ilike(people.givenName, pattern),
          ilike(people.middleName, pattern),
        )!,
      );
    }
  }
  if (filter.afterId) conditions.push(gt(people.id, filter.afterId));
  const rows = await db
    .select()
    .from(people)
    .where(and(...conditions))
    .orderBy(asc(people.id))
    .limit(filter.limit + 1);
  return hydrate(db, rows);
}

/** The student ids among the given person ids (a parent role must point at a student). */
export async function studentIdsAmong(db: Db | Tx, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectDistinct({ id: roleAssignments.personId })
    .from(roleAssignments)
    .where(and(inArray(roleAssignments.personId, ids), eq(roleAssignments.role, 'student')));
  return new Set(rows.map((r) => r.id));
}

/*
 * Batch helpers (LMS sync batches of up to 1,000 people): a fixed number of statements whatever
 * the batch size, the rows travel as arrays (`= any($1)`, `unnest`; drizzle's multi-row insert
 * builder costs 27-66 ms per 500 rows, unnest ~5 ms). The API path above does not use them.
 */

/** A stored person with their roles (in position order) and account e-mail, as a batch reads them. */
export interface LockedPerson {
  row: PersonRow;
  roles: RoleRow[];
  accountEmail: string | null;
}

/**
 * Reads the given people with their roles and account e-mail and locks their rows (FOR UPDATE,
 * in id order, so concurrent batches and API edits of the same people serialise without
 * deadlocks). People not stored are simply absent; when none is, this is one statement (three
 * otherwise: measured faster than one statement aggregating the roles per person).
 */
export async function lockPeopleForBatch(tx: Tx, ids: string[]): Promise<LockedPerson[]> {
  if (ids.length === 0) return [];
  const anyOf = (column: Column) => sql`${column} = any(${sql.param(ids)}::uuid[])`;
  const rows = await tx.select().from(people).where(anyOf(people.id)).orderBy(asc(people.id)).for('update');
  if (rows.length === 0) return [];
  const roles = await tx.select().from(roleAssignments).where(anyOf(roleAssignments.personId));
  const emails = await tx
    .select({ personId: accounts.personId, email: accounts.email })
    .from(accounts)
    .where(anyOf(accounts.personId));
  const rolesOf = new Map<string, RoleRow[]>();
  for (const role of roles) {
    const held = rolesOf.get(role.personId);
    if (held) held.push(role);
    else rolesOf.set(role.personId, [role]);
  }
  const emailOf = new Map(emails.map((e) => [e.personId, e.email]));
  return rows.map((row) => ({
    row,
    roles: (rolesOf.get(row.id) ?? []).sort((a, b) => a.position - b.position),
    accountEmail: emailOf.get(row.id) ?? null,
  }));
}

/** One batch's writes: see {@link writePeopleBatch}. */
export interface PeopleBatchWrite {
  /** New people (version 1) and changed ones (version = the stored version + 1). */
  people: Omit<PersonRow, 'createdAt' | 'updatedAt'>[];
  /** When the batch changed them: `updated_at` of every row (and `created_at` of the new ones). */
  at: Date;
  /** Removes these people's roles of these kinds at this organisation before `addRoles` are added. */
  dropRoles: { personIds: string[]; organisationId: string; roles: string[] };
  addRoles: RoleRow[];
}

/**
 * Writes one batch in one statement: people upserted, the replaced roles deleted and the new
 * ones inserted. A changed person must be locked (see {@link lockPeopleForBatch}); a row only
 * lands when its version is 1 and new, or one above the stored one, so a person inserted by
 * someone else meanwhile makes the statement throw (the caller's transaction rolls back and a
 * retry sees that person) instead of overwriting them.
 */
export async function writePeopleBatch(tx: Tx, write: PeopleBatchWrite): Promise<void> {
  const { people: rows, at, dropRoles, addRoles } = write;
  if (rows.length === 0 && addRoles.length === 0) return;
  const p = (values: unknown[]) => sql.param(values);
  const result = await tx.execute<{ written: number }>(sql`
    with written as (
      insert into ${people} as p
        (id, given_name, family_name, middle_name, birth_date, contacts, status, version, created_at, updated_at)
      select v.*, ${at.toISOString()}::timestamptz, ${at.toISOString()}::timestamptz
      from unnest(${p(rows.map((r) => r.id))}::uuid[], ${p(rows.map((r) => r.givenName))}::text[],
        ${p(rows.map((r) => r.familyName))}::text[], ${p(rows.map((r) => r.middleName))}::text[],
        ${p(rows.map((r) => r.birthDate))}::date[],
        ${p(rows.map((r) => (r.contacts === null ? null : JSON.stringify(r.contacts))))}::jsonb[],
        ${p(rows.map((r) => r.status))}::text[], ${p(rows.map((r) => r.version))}::int[]) as v
      on conflict (id) do update set given_name = excluded.given_name, family_name = excluded.family_name,
        middle_name = excluded.middle_name, birth_date = excluded.birth_date, contacts = excluded.contacts,
        status = excluded.status, version = excluded.version, updated_at = excluded.updated_at
        where p.version = excluded.version - 1
      returning 1
    ), dropped as (
      delete from ${roleAssignments}
      where person_id = any(${p(dropRoles.personIds)}::uuid[]) and organisation_id = ${dropRoles.organisationId}::uuid
        and role = any(${p(dropRoles.roles)}::text[])
    ), added as (
      insert into ${roleAssignments} (person_id, role, organisation_id, grade, class_letter, student_id, position)
      select * from unnest(${p(addRoles.map((r) => r.personId))}::uuid[], ${p(addRoles.map((r) => r.role))}::text[],
        ${p(addRoles.map((r) => r.organisationId))}::uuid[], ${p(addRoles.map((r) => r.grade))}::smallint[],
        ${p(addRoles.map((r) => r.classLetter))}::text[], ${p(addRoles.map((r) => r.studentId))}::uuid[],
        ${p(addRoles.map((r) => r.position))}::smallint[])
    )
    select count(*)::int as written from written`);
  const written = result.rows[0]?.written ?? 0;
  if (written !== rows.length) {
    // Retryable (a plain error): the transaction rolls back, and the next attempt reads the newcomer.
    throw new Error(
      `${rows.length - written} of ${rows.length} people of the batch were written by someone else meanwhile`,
    );
  }
}
