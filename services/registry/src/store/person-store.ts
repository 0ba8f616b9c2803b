import { createHash } from 'node:crypto';
import type { PersonSnapshot } from '@mathnet/contracts';
import type { Db, Tx } from '@mathnet/db';
import { and, asc, eq, exists, gt, ilike, inArray, or, type SQL, sql } from 'drizzle-orm';
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
