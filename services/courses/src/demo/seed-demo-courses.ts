import type { Actor } from '@mathnet/auth';
import type { Db, UnitOfWork } from '@mathnet/db';
import type { Logger } from '@mathnet/kit';
import { count, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { insertOffering, offeringEvent, toOffering, updateOffering } from '../store/offering-store';
import { offerings, organisationView, personView } from '../store/schema';
import { EnrollmentWorkflow } from '../workflows/enrollment-workflow';
import { demoOfferings, type ProviderRef } from './demo-offerings';

export interface CoursesDemoSummary {
  offerings: number;
  enrollments: Record<string, number>;
}

/** Waits until the read model holds at least `people` people (registry's demo arrives as events). */
async function readModelHas(db: Db, people: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await db.select({ n: count() }).from(personView);
    if ((row?.n ?? 0) >= people) return;
    if (Date.now() > deadline)
      throw new Error(`the courses read model has ${row?.n} people, expected ${people}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The demo district's courses: 24 offerings across two hub schools, a school,
 * the centre and the university (one draft, one archived), and enrollments in
 * every state. Runs once, on an empty catalogue, after registry's demo.
 */
export async function seedDemoCourses(
  db: Db,
  work: UnitOfWork,
  logger: Logger,
  expectedPeople: number,
): Promise<CoursesDemoSummary | undefined> {
  const [existing] = await db.select({ n: count() }).from(offerings);
  if ((existing?.n ?? 0) > 0) return undefined;
  await readModelHas(db, expectedPeople, 60_000);
  const orgs = await db.select().from(organisationView);
  const authority = orgs.find((o) => o.kind === 'authority');
  const schools = orgs.filter((o) => o.kind === 'school');
  const providers: Record<ProviderRef, string | undefined> = {
    hub1: schools.filter((o) => o.isHub)[0]?.id,
    hub2: schools.filter((o) => o.isHub)[1]?.id,
    school3: schools.find((o) => !o.isHub)?.id,
    centre: orgs.find((o) => o.kind === 'gifted_centre')?.id,
    university: orgs.find((o) => o.kind === 'university')?.id,
  };
  if (!authority || Object.values(providers).some((id) => !id)) {
    logger.warn('demo courses skipped: the demo organisations are not all known yet');
    return undefined;
  }
  const actor: Actor = {
    subject: 'system:demo',
    kind: 'person',
    roles: [{ role: 'network_admin', organisationId: authority.id }],
  };

  const ids: string[] = [];
  for (const { provider, state, ...input } of demoOfferings) {
    const id = uuidv7();
    await work.run(async (tx, emit) => {
      const row = await insertOffering(tx, id, { ...input, providerId: providers[provider]! }, actor.subject);
      if (state === 'draft') return;
      const published = await updateOffering(tx, row, { status: 'published', publishedAt: new Date() });
      emit({
        type: 'mathnet.courses.offering.published',
        subject: id,
        data: offeringEvent(toOffering(published)),
      });
      if (state === 'archived') {
        const archived = await updateOffering(tx, published, { status: 'archived' });
        emit({
          type: 'mathnet.courses.offering.archived',
          subject: id,
          data: offeringEvent(toOffering(archived)),
        });
      }
    });
    ids.push(id);
  }
  const byTitle = (prefix: string) => ids[demoOfferings.findIndex((o) => o.title.startsWith(prefix))]!;

  const students = await db
    .select({ id: personView.id, grade: sql<number>`(${personView.roles}->0->>'grade')::int` })
    .from(personView)
    .where(sql`${personView.roles} @> '[{"role":"student"}]'::jsonb`);
  const grade = (g: number) => students.filter((s) => s.grade === g).map((s) => s.id);
  const tenth = grade(10);
  const eleventh = grade(11);
  const teachers = await db
    .select({ id: personView.id })
    .from(personView)
    .where(sql`${personView.roles} @> '[{"role":"teacher"}]'::jsonb`);

  const flow = new EnrollmentWorkflow(work);
  const path = async (offeringId: string, studentId: string, to: string) => {
    const e = await flow.request(actor, offeringId, studentId);
    if (to === 'requested') return;
    if (e.needsConsent) await flow.act(actor, e.id, 'consent');
    if (to === 'consented') return;
    if (to === 'rejected')
      return void (await flow.act(actor, e.id, 'reject', 'Не совпадает с учебным планом профиля'));
    await flow.act(actor, e.id, 'approve');
    if (to === 'approved') return;
    const accepted = await flow.act(actor, e.id, 'accept');
    if (accepted.status === 'waitlisted' || to === 'enrolled') return;
    if (to === 'withdrawn') return void (await flow.act(actor, e.id, 'withdraw'));
    await flow.complete(
      actor,
      e.id,
      to === 'failed'
        ? { passed: false, mark: '2' }
        : { passed: true, mark: '5', certificateNumber: `СЕТЬ-2026-${e.id.slice(-4)}` },
    );
    if (to === 'credited') await flow.decideCredit(actor, e.id, { decision: 'credited' });
  };

  const olympiad = byTitle('Олимпиадная математика');
  for (const [i, s] of tenth.slice(0, 6).entries())
    await path(olympiad, s, ['credited', 'credited', 'completed', 'completed', 'failed', 'enrolled'][i]!);
  for (const s of eleventh.slice(0, 6))
    await path(byTitle('Введение в математический анализ'), s, 'enrolled');
  for (const s of tenth.slice(6, 10)) await path(byTitle('Дни науки'), s, 'enrolled');
  for (const s of tenth.slice(10, 14)) await path(byTitle('Алгоритмы и структуры данных'), s, 'enrolled');
  await path(byTitle('Механика'), tenth[14]!, 'requested');
  await path(byTitle('Механика'), tenth[15]!, 'requested');
  await path(byTitle('Программирование на Python'), tenth[16]!, 'consented');
  await path(byTitle('Программирование на Python'), tenth[17]!, 'approved');
  await path(byTitle('Финансовая математика'), tenth[18]!, 'rejected');
  await path(byTitle('Геометрия'), tenth[19]!, 'withdrawn');
  for (const t of teachers.slice(0, 3)) await path(byTitle('Методика подготовки'), t.id, 'enrolled');

  const rows = await db.execute<{ status: string; n: string }>(
    sql`select status, count(*)::text as n from courses.enrollments group by status`,
  );
  const summary = {
    offerings: ids.length,
    enrollments: Object.fromEntries(rows.rows.map((r) => [r.status, Number(r.n)])),
  };
  logger.info(summary, 'demo courses loaded');
  return summary;
}
