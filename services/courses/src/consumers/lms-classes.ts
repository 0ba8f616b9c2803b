import { type LmsClassFact, subjects } from '@mathnet/contracts';
import type { Emit, Tx } from '@mathnet/db';
import { offeringEvent, toOffering } from '../store/offering-store';
import { offerings } from '../store/schema';
import {
  chunks,
  isLmsOfferingOf,
  type LmsBatch,
  type LmsFactCounts,
  lastById,
  lmsActor,
  lockOfferings,
  noCounts,
  type OfferingRow,
  updateMany,
  validDate,
} from './lms-batch';

type Subject = (typeof subjects)[number];

/**
 * LMS classes as offerings of origin 'lms' of the school: published while active (event
 * `published` when it becomes so, `updated` on a change), archived when gone. Offerings
 * of the network catalogue or of another school are never changed from here.
 */
export async function applyClasses(
  tx: Tx,
  emit: Emit,
  batch: LmsBatch,
  classes: LmsClassFact[],
): Promise<LmsFactCounts> {
  const counts = noCounts();
  const facts = lastById(classes);
  const known = await lockOfferings(
    tx,
    facts.map((f) => f.id),
  );
  const now = new Date();
  const inserts: (typeof offerings.$inferInsert)[] = [];
  const updates: OfferingRow[] = [];
  const emitted: { verb: string; row: OfferingRow }[] = [];
  for (const fact of facts) {
    const current = known.get(fact.id);
    const title = fact.title.trim() || fact.classCode?.trim() || 'LMS class';
    const fields = {
      title,
      classCode: fact.classCode,
      subjects: subjectsOf(fact.subjects),
      grades: gradesOf(fact.grades),
      termStart: validDate(fact.termStart),
      termEnd: validDate(fact.termEnd),
      teacherIds: [...new Set(fact.teacherIds)].sort(),
      lmsConnectionId: batch.connectionId,
      status: fact.active ? 'published' : 'archived',
    };
    if (!current) {
      // An inactive class unknown so far is kept archived (its id stays valid) without telling the network.
      const publishedAt = fact.active ? now : null;
      inserts.push({
        ...fields,
        id: fact.id,
        providerId: batch.organisationId,
        origin: 'lms',
        kind: 'optional_course',
        format: 'blended',
        capacity: 10_000, // an LMS class has no network seat limit
        audience: 'students',
        searchText: title.toLowerCase(),
        createdBy: lmsActor(batch.connectionId),
        publishedAt,
      });
      counts.changed++;
      continue;
    }
    if (!isLmsOfferingOf(current, batch)) {
      counts.skipped++;
      continue;
    }
    const next: OfferingRow = { ...current, ...fields };
    const same = (Object.keys(fields) as (keyof typeof fields)[]).every(
      (k) => JSON.stringify(next[k]) === JSON.stringify(current[k]),
    );
    if (same) {
      counts.unchanged++;
      continue;
    }
    next.searchText = [title, current.description, current.place].filter(Boolean).join(' ').toLowerCase();
    next.version = current.version + 1;
    next.updatedAt = now;
    if (next.status === 'published' && current.status !== 'published') next.publishedAt = now;
    updates.push(next);
    if (next.status !== current.status) emitted.push({ verb: next.status, row: next });
    else if (next.status === 'published') emitted.push({ verb: 'updated', row: next });
    counts.changed++;
  }
  for (const part of chunks(inserts)) {
    const rows = await tx.insert(offerings).values(part).returning();
    for (const row of rows) if (row.status === 'published') emitted.push({ verb: 'published', row });
  }
  await updateOfferings(tx, updates);
  for (const { verb, row } of emitted) {
    emit({ type: `mathnet.courses.offering.${verb}`, subject: row.id, data: offeringEvent(toOffering(row)) });
  }
  return counts;
}

/** Writes the LMS-owned fields (and status, version) of many offerings in one statement. */
export async function updateOfferings(tx: Tx, rows: OfferingRow[]): Promise<void> {
  const array = (values: (string | number)[]) => `{${values.join(',')}}`;
  await updateMany(
    tx,
    offerings,
    {
      title: 'text',
      class_code: 'text',
      subjects: 'text[]',
      grades: 'smallint[]',
      term_start: 'date',
      term_end: 'date',
      teacher_ids: 'uuid[]',
      lms_connection_id: 'uuid',
      status: 'text',
      published_at: 'timestamptz',
      search_text: 'text',
      version: 'int',
      updated_at: 'timestamptz',
    },
    rows,
    (o) => [
      o.title,
      o.classCode,
      array(o.subjects),
      array(o.grades),
      o.termStart,
      o.termEnd,
      array(o.teacherIds),
      o.lmsConnectionId,
      o.status,
      o.publishedAt?.toISOString() ?? null,
      o.searchText,
      o.version,
      o.updatedAt.toISOString(),
    ],
  );
}

const subjectWords: [Subject, RegExp][] = [
  ['maths', /матем|алгебр|геометр|math|algebra|geometr|calculus/],
  ['physics', /физик|physics/],
  ['informatics', /информат|программир|informat|computer|programming/],
  ['astronomy', /астроном|astronom/],
];

/** Free-text LMS subjects onto the network's subjects (at least one, 'other' when none is recognised). */
export function subjectsOf(names: string[]): Subject[] {
  const found = new Set<Subject>();
  for (const name of names) {
    const words = name.toLowerCase();
    const matches = subjectWords.filter(([, pattern]) => pattern.test(words)).map(([subject]) => subject);
    for (const subject of matches.length ? matches : (['other'] as const)) found.add(subject);
  }
  const mapped = subjects.filter((s) => found.has(s));
  return mapped.length ? mapped : ['other'];
}

/** School grades 1-11 only, sorted; an LMS class without any is for the senior grades. */
export function gradesOf(grades: number[]): number[] {
  const kept = [...new Set(grades.filter((g) => Number.isInteger(g) && g >= 1 && g <= 11))].sort(
    (a, b) => a - b,
  );
  return kept.length ? kept : [10, 11];
}
