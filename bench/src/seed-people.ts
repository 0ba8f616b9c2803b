import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { SeededRandom } from './seeded-random';

/** A student of the courses read model, as the benches need it. */
export interface SeededStudent {
  id: string;
  homeSchoolId: string;
  grade: number;
}

const givenNames = ['Анна', 'Иван', 'Мария', 'Пётр', 'Ольга', 'Алексей', 'Дарья', 'Никита', 'Софья', 'Егор'];
const familyNames = ['Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Соколов', 'Лебедев', 'Козлов', 'Новиков'];

/**
 * Organisations straight into `courses.organisation_view` (what registry's events would
 * build): `schools` schools, the first `hubs` of them hub schools, and `partners`
 * universities. Returns the ids, schools first.
 */
export async function seedOrganisations(
  db: pg.Pool,
  counts: { schools: number; hubs: number; partners: number },
): Promise<{ schools: string[]; partners: string[] }> {
  const schools = Array.from({ length: counts.schools }, () => randomUUID());
  const partners = Array.from({ length: counts.partners }, () => randomUUID());
  const ids = [...schools, ...partners];
  const names = [
    ...schools.map((_, i) => `Школа №${i + 1}`),
    ...partners.map((_, i) => `Университет ${i + 1}`),
  ];
  const kinds = [...schools.map(() => 'school'), ...partners.map(() => 'university')];
  const hubs = ids.map((_, i) => i < counts.hubs);
  await db.query(
    `insert into courses.organisation_view (id, name, short_name, kind, is_hub, status, version)
     select id, name, null, kind, is_hub, 'active', 1
     from unnest($1::uuid[], $2::text[], $3::text[], $4::boolean[]) as t(id, name, kind, is_hub)`,
    [ids, names, kinds, hubs],
  );
  return { schools, partners };
}

/**
 * `count` active students into `courses.person_view`, spread evenly over `schools`
 * (student i goes to school i mod n), grades 5 to 11.
 */
export async function seedStudents(
  db: pg.Pool,
  schools: readonly string[],
  count: number,
  random: SeededRandom,
): Promise<SeededStudent[]> {
  const students: SeededStudent[] = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    homeSchoolId: schools[i % schools.length]!,
    grade: random.int(5, 11),
  }));
  const given = students.map(() => random.pick(givenNames));
  const family = students.map(() => random.pick(familyNames));
  const birthDates = students.map(
    (s) => `${2026 - 7 - s.grade}-${String(random.int(1, 12)).padStart(2, '0')}-15`,
  );
  const roles = students.map((s) =>
    JSON.stringify([{ role: 'student', organisationId: s.homeSchoolId, grade: s.grade }]),
  );
  await db.query(
    `insert into courses.person_view
       (id, given_name, family_name, middle_name, birth_date, roles, home_school_id, status, version)
     select id, given, family, null, birth, roles, school, 'active', 1
     from unnest($1::uuid[], $2::text[], $3::text[], $4::date[], $5::jsonb[], $6::uuid[])
       as t(id, given, family, birth, roles, school)`,
    [students.map((s) => s.id), given, family, birthDates, roles, students.map((s) => s.homeSchoolId)],
  );
  return students;
}
