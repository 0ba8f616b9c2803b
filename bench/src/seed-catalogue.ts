import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { SeededRandom } from './seeded-random';

/** Terms offerings run in (null: no dates). */
const terms: readonly (readonly [string, string] | null)[] = [
  ['2025-09-01', '2025-12-28'],
  ['2026-01-12', '2026-05-31'],
  ['2026-09-01', '2026-12-27'],
  ['2026-09-01', '2027-05-31'],
  ['2027-01-11', '2027-05-31'],
  ['2026-06-15', '2026-07-31'],
  null,
];

const prefixes = [
  'Олимпиадная подготовка:',
  'Углублённый курс:',
  'Практикум:',
  'Введение в',
  'Спецкурс',
  'Кружок',
  'Проектная работа:',
  'Летняя школа:',
  'Элективный курс',
];
/** Topics by subject; the words a text search looks for come from here. */
const topics: Record<string, readonly string[]> = {
  maths: [
    'алгебра',
    'геометрия',
    'теория чисел',
    'комбинаторика',
    'математический анализ',
    'теория вероятностей',
    'статистика',
    'логика',
    'неравенства',
    'стереометрия',
  ],
  physics: [
    'механика',
    'оптика',
    'электродинамика',
    'термодинамика',
    'квантовая физика',
    'колебания и волны',
  ],
  informatics: [
    'программирование на Python',
    'алгоритмы',
    'структуры данных',
    'криптография',
    'машинное обучение',
    'робототехника',
    'олимпиадная информатика',
  ],
  astronomy: ['астрофизика', 'небесная механика', 'наблюдательная астрономия'],
  other: ['научное письмо', 'исследовательский проект', 'история науки'],
};
const fillers = [
  'занятия',
  'решение',
  'задач',
  'повышенной',
  'сложности',
  'подготовка',
  'к',
  'олимпиадам',
  'регионального',
  'и',
  'всероссийского',
  'этапа',
  'разбор',
  'лабораторные',
  'работы',
  'консультации',
  'преподавателей',
  'университета',
  'проектная',
  'деятельность',
  'семинары',
  'для',
  'мотивированных',
  'школьников',
];
const subjectWeights = [
  'maths',
  'maths',
  'maths',
  'physics',
  'physics',
  'informatics',
  'informatics',
  'astronomy',
  'other',
];
const formats = [
  'in_person',
  'in_person',
  'in_person',
  'in_person',
  'in_person',
  'distance',
  'distance',
  'distance',
  'blended',
  'blended',
];
const kinds = [
  'elective',
  'optional_course',
  'individual_lessons',
  'study_visit',
  'distance_course',
  'research_project',
];

/** Words a `?q=` search uses: common and rare ones, all present in some offerings. */
export const searchWords: readonly string[] = [
  'алгебра',
  'геометрия',
  'механика',
  'оптика',
  'python',
  'алгоритмы',
  'комбинаторика',
  'астрофизика',
  'практикум',
  'олимпиад',
  'криптография',
  'стереометрия',
];

function description(random: SeededRandom, topic: string): string {
  const words = Array.from({ length: random.int(12, 45) }, () => random.pick(fillers));
  return `${topic[0]!.toUpperCase()}${topic.slice(1)}: ${words.join(' ')}.`;
}

/**
 * `published` published offerings (and `others` drafts and archived ones) straight into
 * `courses.offerings`: varied subjects, grade ranges, formats, kinds, providers, terms,
 * seats taken, Russian titles and descriptions; `search_text` is the lower-cased title,
 * description and place, as the app writes it. Inserted in batches of 2,000.
 */
export async function seedCatalogue(
  db: pg.Pool,
  counts: { published: number; others: number },
  providers: readonly string[],
  random: SeededRandom,
): Promise<void> {
  const total = counts.published + counts.others;
  for (let start = 0; start < total; start += 2000) {
    const size = Math.min(2000, total - start);
    const rows = Array.from({ length: size }, (_, j) => {
      const i = start + j;
      const subject = random.pick(subjectWeights);
      const second = random.next() < 0.2 ? random.pick(subjectWeights) : subject;
      const topic = random.pick(topics[subject]!);
      const low = random.int(5, 10);
      const grades = Array.from({ length: random.int(1, Math.min(4, 12 - low)) }, (_, k) => low + k);
      const format = random.pick(formats);
      const provider = random.pick(providers);
      const term = random.pick(terms);
      const capacity = random.int(8, 60);
      const title = `${random.pick(prefixes)} ${topic} (группа ${(i % 97) + 1})`;
      const text = description(random, topic);
      const place =
        format === 'distance' ? null : `Корпус ${random.int(1, 5)}, аудитория ${random.int(100, 450)}`;
      const status = i < counts.published ? 'published' : i % 2 ? 'draft' : 'archived';
      return {
        id: randomUUID(),
        title,
        description: text,
        kind: format === 'distance' ? 'distance_course' : random.pick(kinds),
        provider,
        subjects: [...new Set([subject, second])],
        grades,
        level: random.next() < 0.4 ? 'advanced' : 'basic',
        hours: random.pick([18, 34, 36, 68, 72]),
        format,
        termStart: term?.[0] ?? null,
        termEnd: term?.[1] ?? null,
        place,
        capacity,
        // A third are full: the freeSeats filter removes them.
        enrolled: random.next() < 0.33 ? capacity : random.int(0, capacity - 1),
        status,
        searchText: [title, text, place].filter(Boolean).join(' ').toLowerCase(),
      };
    });
    const column = <T>(pick: (r: (typeof rows)[number]) => T) => rows.map(pick);
    await db.query(
      `insert into courses.offerings
         (id, title, description, kind, provider_id, subjects, grades, level, hours, format, term_start,
          term_end, place, capacity, enrolled_count, status, search_text, published_at)
       select id, title, description, kind, provider, string_to_array(subjects, ','),
         string_to_array(grades, ',')::smallint[], level, hours, format, term_start, term_end, place,
         capacity, enrolled, status, search_text, case when status = 'draft' then null else now() end
       from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::text[],
         $8::text[], $9::int[], $10::text[], $11::date[], $12::date[], $13::text[], $14::int[], $15::int[],
         $16::text[], $17::text[])
         as t(id, title, description, kind, provider, subjects, grades, level, hours, format, term_start,
           term_end, place, capacity, enrolled, status, search_text)`,
      [
        column((r) => r.id),
        column((r) => r.title),
        column((r) => r.description),
        column((r) => r.kind),
        column((r) => r.provider),
        column((r) => r.subjects.join(',')),
        column((r) => r.grades.join(',')),
        column((r) => r.level),
        column((r) => r.hours),
        column((r) => r.format),
        column((r) => r.termStart),
        column((r) => r.termEnd),
        column((r) => r.place),
        column((r) => r.capacity),
        column((r) => r.enrolled),
        column((r) => r.status),
        column((r) => r.searchText),
      ],
    );
  }
  await db.query('analyze courses.offerings');
}
