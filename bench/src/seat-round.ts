import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { SeededStudent } from './seed-people';
import type { SeededRandom } from './seeded-random';

/** The shape of one round of the seats bench. */
export interface SeatRoundShape {
  offerings: number;
  capacity: number;
  requestsPerOffering: number;
  /** Every `quotaEvery`-th offering has a school quota. */
  quotaEvery: number;
  quota: number;
  /** A quota offering's requests come from this many schools, so the quota binds. */
  quotaSchools: number;
}

/** What one round seeded. */
export interface SeatRound {
  offeringIds: string[];
  /** The approved enrollments to accept, in the order the clients take them (shuffled). */
  enrollmentIds: string[];
  /** Seats the round must fill exactly: per offering min(capacity, Σ per school min(quota, requests)). */
  expectedEnrolled: number;
}

/** The checks after a round; every count but `enrolled` and `waitlisted` must be 0. */
export interface SeatCheck {
  enrolled: number;
  waitlisted: number;
  /** Enrollments still `approved` or in any status other than enrolled/waitlisted. */
  unsettled: number;
  /** Offerings with more enrolled rows than capacity. */
  overCapacity: number;
  /** (offering, school) pairs with more enrolled rows than the quota. */
  overQuota: number;
  /** Offerings whose `enrolled_count` differs from their enrolled rows. */
  countMismatch: number;
  /** Offerings that left a seat empty while a learner who could take it was waitlisted. */
  lostSeats: number;
}

/**
 * Seeds one round straight into the courses database: published offerings (capacity
 * `capacity`; every `quotaEvery`-th with a school quota, its requests drawn from
 * `quotaSchools` schools) and, for each, `requestsPerOffering` distinct students with an
 * enrollment in status `approved` (home school approved, waiting for the provider).
 */
export async function seedSeatRound(
  db: pg.Pool,
  round: number,
  shape: SeatRoundShape,
  providers: readonly string[],
  students: readonly SeededStudent[],
  random: SeededRandom,
): Promise<SeatRound> {
  const bySchool = new Map<string, SeededStudent[]>();
  for (const s of students) bySchool.set(s.homeSchoolId, [...(bySchool.get(s.homeSchoolId) ?? []), s]);
  const schools = [...bySchool.keys()];
  const offeringIds: string[] = [];
  const quotas: (number | null)[] = [];
  const enrollment = {
    id: [] as string[],
    offering: [] as string[],
    student: [] as string[],
    school: [] as string[],
  };
  let expectedEnrolled = 0;
  for (let i = 0; i < shape.offerings; i += 1) {
    const id = randomUUID();
    const quota = i % shape.quotaEvery === 0 ? shape.quota : null;
    const pool = quota
      ? random.sample(schools, shape.quotaSchools).flatMap((school) => bySchool.get(school)!)
      : students;
    const chosen = random.sample(pool, shape.requestsPerOffering);
    const perSchool = new Map<string, number>();
    for (const s of chosen) perSchool.set(s.homeSchoolId, (perSchool.get(s.homeSchoolId) ?? 0) + 1);
    const reachable = [...perSchool.values()].reduce((sum, n) => sum + (quota ? Math.min(n, quota) : n), 0);
    expectedEnrolled += Math.min(shape.capacity, reachable);
    offeringIds.push(id);
    quotas.push(quota);
    for (const s of chosen) {
      enrollment.id.push(randomUUID());
      enrollment.offering.push(id);
      enrollment.student.push(s.id);
      enrollment.school.push(s.homeSchoolId);
    }
  }
  const titles = offeringIds.map((_, i) => `Олимпиадная математика, поток ${round}.${i + 1}`);
  await db.query(
    `insert into courses.offerings
       (id, title, kind, provider_id, subjects, grades, format, capacity, school_quota, status,
        search_text, published_at)
     select id, title, 'elective', provider, '{maths}', '{5,6,7,8,9,10,11}', 'in_person', $5, quota,
       'published', lower(title), now()
     from unnest($1::uuid[], $2::text[], $3::uuid[], $4::int[]) as t(id, title, provider, quota)`,
    [offeringIds, titles, offeringIds.map(() => random.pick(providers)), quotas, shape.capacity],
  );
  await db.query(
    `insert into courses.enrollments
       (id, offering_id, student_id, home_school_id, status, needs_consent, requested_by, version)
     select id, offering, student, school, 'approved', false, 'bench', 3
     from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[]) as t(id, offering, student, school)`,
    [enrollment.id, enrollment.offering, enrollment.student, enrollment.school],
  );
  return { offeringIds, enrollmentIds: random.shuffle([...enrollment.id]), expectedEnrolled };
}

async function count(db: pg.Pool, text: string, offeringIds: readonly string[]): Promise<number> {
  const { rows } = await db.query<{ n: string }>(text, [offeringIds]);
  return Number(rows[0]?.n ?? 0);
}

/** Checks the round's offerings against their seats, quotas and counters, by SQL. */
export async function checkSeatRound(db: pg.Pool, offeringIds: readonly string[]): Promise<SeatCheck> {
  const perSchool = `
    with per_school as (
      select e.offering_id, e.home_school_id, count(*) as requests,
             count(*) filter (where e.status = 'enrolled') as enrolled
      from courses.enrollments e where e.offering_id = any($1) group by 1, 2)`;
  const perOffering = `${perSchool},
    per_offering as (
      select o.id, o.capacity, o.school_quota, o.enrolled_count,
             sum(p.enrolled) as enrolled,
             sum(case when o.school_quota is null then p.requests else least(p.requests, o.school_quota) end)
               as reachable
      from courses.offerings o join per_school p on p.offering_id = o.id group by o.id)`;
  return {
    enrolled: await count(
      db,
      `select count(*) as n from courses.enrollments where offering_id = any($1) and status = 'enrolled'`,
      offeringIds,
    ),
    waitlisted: await count(
      db,
      `select count(*) as n from courses.enrollments where offering_id = any($1) and status = 'waitlisted'`,
      offeringIds,
    ),
    unsettled: await count(
      db,
      `select count(*) as n from courses.enrollments
       where offering_id = any($1) and status not in ('enrolled', 'waitlisted')`,
      offeringIds,
    ),
    overCapacity: await count(
      db,
      `${perOffering} select count(*) as n from per_offering where enrolled > capacity`,
      offeringIds,
    ),
    overQuota: await count(
      db,
      `${perSchool} select count(*) as n from per_school p join courses.offerings o on o.id = p.offering_id
       where o.school_quota is not null and p.enrolled > o.school_quota`,
      offeringIds,
    ),
    countMismatch: await count(
      db,
      `${perOffering} select count(*) as n from per_offering where enrolled_count <> enrolled`,
      offeringIds,
    ),
    lostSeats: await count(
      db,
      `${perOffering} select count(*) as n from per_offering where enrolled < least(capacity, reachable)`,
      offeringIds,
    ),
  };
}
