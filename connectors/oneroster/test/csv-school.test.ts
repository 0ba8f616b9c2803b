import type { Class, Course, LineItem, Org, User } from '@mathnet/lms-sdk';
import { expect } from 'chai';
import {
  buildOneRosterZip,
  csvRows,
  districtCsvChunks,
  districtFiles,
  districtZip,
  generateDistrict,
  oneRosterHeaders,
  toCsv,
} from '../test-double/index';
import { bytes, collect, counts, csvSession, importAll } from './helpers';

const school = generateDistrict({
  students: 400,
  teachers: 30,
  classes: 12,
  enrollments: 2000,
  sessions: 2,
  courses: 5,
  seed: 2026,
});

/** The district's files as text, with or without BOM and with LF or CRLF line ends. */
function schoolFiles(options: { bom: boolean; eol: '\n' | '\r\n' }): Record<string, string> {
  const files: Record<string, string> = {};
  for (const file of districtFiles) {
    files[`${file}.csv`] =
      (options.bom ? '\uFEFF' : '') + [...districtCsvChunks(school, file, options.eol)].join('');
  }
  return files;
}

describe('OneRoster CSV: a school archive', () => {
  it('parses to exactly the generated counts, all bulk, nothing rejected', async () => {
    const pulled = await importAll(bytes(await districtZip(school)));
    expect(pulled.rejected).to.deep.equal([]);
    expect(counts(pulled)).to.deep.equal({
      orgs: 2,
      academicSessions: 2,
      courses: 5,
      classes: 12,
      users: 430,
      enrollments: 2000,
      lineItems: 12,
      results: 1000,
    });
    expect(new Set(Object.values(pulled.modes))).to.deep.equal(new Set(['bulk']));
  });

  it('keeps Cyrillic text, commas, quotes and line breaks inside fields exactly', async () => {
    const pulled = await importAll(bytes(await districtZip(school)));
    const titles = (entity: 'courses' | 'classes') => [...school.records(entity)].map((r) => r.title);
    const orgs = pulled.records.orgs as Org[];
    expect(orgs[1]?.name).to.equal('МБОУ "Лицей № 1", г. Новосибирск');
    const courses = pulled.records.courses as Course[];
    expect(courses.map((c) => c.title)).to.deep.equal(titles('courses'));
    expect(courses[2]?.title).to.equal('Информатика: "Алгоритмы и структуры данных"');
    expect(courses[0]?.grades).to.deep.equal(['05', '06']);
    const classes = pulled.records.classes as Class[];
    expect(classes[0]).to.deep.include({
      location: 'Кабинет 100, корпус "А"',
      termSourcedIds: ['as-term-01'],
    });
    expect(classes.map((c) => c.title)).to.deep.equal(titles('classes'));
    const lineItems = pulled.records.lineItems as LineItem[];
    expect(lineItems[0]?.description).to.equal('Тема: "Дроби и проценты", часть 1,\nвариант 1');
    const users = pulled.records.users as User[];
    const generated = [...school.records('users')];
    // Everything the CSV carries comes back as generated (roles from roles.csv, birth dates from demographics.csv).
    // Bulk files leave dateLastModified empty, so the imported records have none.
    const asImported = (u: User | undefined) =>
      JSON.parse(JSON.stringify({ ...u, dateLastModified: undefined }));
    for (const i of [0, 5, 7, 429]) expect(users[i]).to.deep.equal(asImported(generated[i]));
    expect(users.filter((u) => u.roles[0]?.role === 'teacher')).to.have.length(30);
    expect(users.filter((u) => u.birthDate !== undefined)).to.have.length(400);
  });

  for (const variant of [
    { bom: true, eol: '\r\n' as const },
    { bom: false, eol: '\n' as const },
    { bom: true, eol: '\n' as const },
  ]) {
    it(`reads UTF-8 ${variant.bom ? 'with' : 'without'} BOM, ${variant.eol === '\n' ? 'LF' : 'CRLF'} line ends`, async () => {
      const pulled = await importAll(bytes(await buildOneRosterZip({ files: schoolFiles(variant) })));
      expect(pulled.rejected).to.deep.equal([]);
      expect(counts(pulled)).to.include({ users: 430, enrollments: 2000, results: 1000 });
      const users = pulled.records.users as User[];
      expect(users[0]?.sourcedId).to.equal('stu-001');
      expect(users[0]?.givenName).to.match(/^[А-ЯЁ][а-яё]+$/);
    });
  }

  it('pages by pageSize (default 500), one entity type per page, in dependency order', async () => {
    const source = bytes(await districtZip(school));
    const pulled = await collect(csvSession().pullRoster?.({ signal: new AbortController().signal, source }));
    const enrollmentPages = pulled.pages
      .filter((p) => p.entity === 'enrollments')
      .map((p) => p.records.length);
    expect(enrollmentPages).to.deep.equal([500, 500, 500, 500]);
    expect([...new Set(pulled.pages.map((p) => p.entity))]).to.deep.equal([
      'orgs',
      'academicSessions',
      'courses',
      'classes',
      'users',
      'enrollments',
    ]);
    const small = await collect(
      csvSession().pullRoster?.({ signal: new AbortController().signal, source, pageSize: 128 }),
    );
    expect(small.pages.filter((p) => p.entity === 'users').map((p) => p.records.length)).to.deep.equal([
      128, 128, 128, 46,
    ]);
  });

  it('pullCourses gives academic sessions, courses and classes; pullGrades line items and results', async () => {
    const source = bytes(await districtZip(school));
    const signal = new AbortController().signal;
    const courses = await collect(csvSession().pullCourses?.({ signal, source }));
    expect(counts(courses)).to.deep.equal({ academicSessions: 2, courses: 5, classes: 12 });
    const grades = await collect(csvSession().pullGrades?.({ signal, source }));
    expect(counts(grades)).to.deep.equal({ lineItems: 12, results: 1000 });
  });

  it('a bulk file with only its header yields one empty bulk page (there are none now)', async () => {
    const files = schoolFiles({ bom: false, eol: '\n' });
    files['lineItems.csv'] = toCsv(oneRosterHeaders.lineItems, []);
    files['results.csv'] = toCsv(oneRosterHeaders.results, []);
    const grades = await collect(
      csvSession().pullGrades?.({
        signal: new AbortController().signal,
        source: bytes(await buildOneRosterZip({ files })),
      }),
    );
    expect(grades.pages.map((p) => [p.entity, p.mode, p.records.length])).to.deep.equal([
      ['lineItems', 'bulk', 0],
      ['results', 'bulk', 0],
    ]);
  });

  it('reads a file from disk too ({ kind: "file" })', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'oneroster-'));
    try {
      const path = join(dir, 'school.zip');
      await writeFile(path, await districtZip(school));
      const pulled = await importAll({ kind: 'file', path });
      expect(counts(pulled)).to.include({ users: 430, enrollments: 2000 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes rows the way the spec says: empty status and dateLastModified in bulk files', () => {
    const org = [...school.records('orgs')][0] as Org;
    expect(csvRows.orgs(org, false).slice(0, 3)).to.deep.equal(['org-district', '', '']);
    expect(csvRows.orgs(org, true).slice(0, 3)).to.deep.equal([
      'org-district',
      'active',
      '2026-01-15T08:00:00.000Z',
    ]);
  });
});
