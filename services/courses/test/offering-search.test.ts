import type { RoleGrant } from '@mathnet/auth';
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { offeringSchema } from '../src/http/offering-schemas';
import { offerings } from '../src/store/schema';
import { type CoursesHarness, startCourses } from './courses-harness';

type Json = Record<string, unknown>;

/** `GET /v1/offerings`: filters, text search, sorts, keyset pages and the items' JSON. */
describe('catalogue search', function () {
  this.timeout(120_000);
  let h: CoursesHarness;
  let admin: string;
  let coordSchool: string;
  let coordUni: string;
  let school: string;
  let university: string;
  /** Offering ids by a short name. */
  const ids: Record<string, string> = {};

  const grant = (role: RoleGrant['role'], organisationId: string): RoleGrant => ({ role, organisationId });

  const create = async (name: string, body: Json, token: string, publish = true) => {
    const created = await h.api('POST', '/v1/offerings', token, {
      kind: 'elective',
      subjects: ['maths'],
      grades: [10, 11],
      format: 'distance',
      capacity: 10,
      ...body,
    });
    expect(created.status, created.text).to.equal(201);
    ids[name] = created.body.id;
    if (publish) {
      const published = await h.api('POST', `/v1/offerings/${created.body.id}/publish`, token);
      expect(published.status, published.text).to.equal(200);
    }
  };

  const search = async (query: string, token = admin) => {
    const answer = await h.api('GET', `/v1/offerings${query}`, token);
    expect(answer.status, answer.text).to.equal(200);
    return answer.body as { items: Json[]; nextCursor: string | null };
  };
  const names = (items: Json[]) =>
    items.map((item) => Object.keys(ids).find((name) => ids[name] === item.id) ?? String(item.id));

  /** Every page of a search, `limit` items at a time, following nextCursor. */
  const allPages = async (query: string, limit: number) => {
    const items: Json[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await search(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).to.be.at.most(limit);
      items.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 50);
    return items;
  };

  before(async () => {
    h = await startCourses('offering-search');
    const authority = await h.organisation('authority');
    school = await h.organisation('school', 'Школа № 7');
    university = await h.organisation('university', 'Университет');
    admin = h.tokenFor('00000000-0000-7000-8000-000000000001', [grant('network_admin', authority)]);
    coordSchool = h.tokenFor('00000000-0000-7000-8000-00000000000a', [grant('school_admin', school)]);
    coordUni = h.tokenFor('00000000-0000-7000-8000-00000000000b', [grant('school_admin', university)]);

    await create(
      'algebra',
      {
        title: 'Углублённая Алгебра',
        description: 'Решение задач "повышенной" сложности\nи подготовка к олимпиадам',
        providerId: university,
        grades: [9, 10],
        format: 'in_person',
        place: 'Корпус 2, аудитория 101',
        termStart: '2026-09-01',
        termEnd: '2026-12-27',
        schedule: [{ weekday: 2, start: '15:00', end: '16:30' }],
        teacherIds: ['00000000-0000-7000-8000-0000000000f1'],
        level: 'advanced',
        hours: 36,
        schoolQuota: 3,
        prerequisites: 'Алгебра 9 класса',
        assessmentForm: 'зачёт',
        documentIssued: 'справка',
        agreementRef: 'Д-17/2026',
        platformUrl: 'https://lms.example.org/algebra',
      },
      coordUni,
    );
    await create(
      'optics',
      { title: 'Оптика', subjects: ['physics'], providerId: university, grades: [11], capacity: 1 },
      coordUni,
    );
    await create(
      'python',
      {
        title: 'Программирование на Python',
        subjects: ['informatics', 'maths'],
        providerId: school,
        termStart: '2027-01-11',
        termEnd: '2027-05-31',
        format: 'blended',
      },
      coordSchool,
    );
    await create('geometry', { title: 'геометрия 100%_', providerId: school }, coordSchool);
    await create('draftUni', { title: 'Черновик', providerId: university }, coordUni, false);
    // optics is full: freeSeats leaves it out. Its seat is taken in SQL, so this suite does not
    // depend on the enrollment workflow (tested in enrollment.test.ts).
    await h.database.db.update(offerings).set({ enrolledCount: 1 }).where(eq(offerings.id, ids.optics!));
  });
  after(async () => {
    await h?.close();
  });

  it('answers each item exactly as GET /v1/offerings/:id does, valid against the Offering schema', async () => {
    const page = await search('?limit=200');
    expect(names(page.items)).to.have.members(['algebra', 'optics', 'python', 'geometry']);
    for (const item of page.items) {
      const one = await h.api('GET', `/v1/offerings/${item.id}`, admin);
      expect(item).to.deep.equal(one.body);
      expect(offeringSchema.safeParse(item).success).to.equal(true);
    }
    const optics = page.items.find((item) => item.id === ids.optics)!;
    expect(optics).to.include({ enrolled: 1, freeSeats: 0 });
    expect(optics.provider).to.deep.equal({ name: 'Университет', shortName: null, kind: 'university' });
  });

  it('filters by subject, grade, format, provider, term, free seats and text words', async () => {
    expect(names((await search('?subject=maths')).items)).to.have.members(['algebra', 'python', 'geometry']);
    expect(names((await search('?grade=9')).items)).to.deep.equal(['algebra']);
    expect(names((await search('?format=blended')).items)).to.deep.equal(['python']);
    expect(names((await search(`?providerId=${school}`)).items)).to.have.members(['python', 'geometry']);
    expect(names((await search('?term=2026-10-01')).items)).to.have.members([
      'algebra',
      'optics',
      'geometry',
    ]);
    expect(names((await search('?freeSeats=true&subject=physics')).items)).to.deep.equal([]);
    expect(names((await search(`?q=${encodeURIComponent('АЛГЕБРА олимпиад')}`)).items)).to.deep.equal([
      'algebra',
    ]);
    expect(names((await search(`?q=${encodeURIComponent('аудитория')}`)).items)).to.deep.equal(['algebra']);
    // LIKE wildcards in a word are matched literally.
    expect(names((await search(`?q=${encodeURIComponent('100%_')}`)).items)).to.deep.equal(['geometry']);
    expect(names((await search(`?q=${encodeURIComponent('%')}`)).items)).to.deep.equal(['geometry']);
  });

  it('shows drafts only to their provider (and the district)', async () => {
    expect(names((await search('?status=draft', coordSchool)).items)).to.deep.equal([]);
    expect(names((await search('?status=draft', coordUni)).items)).to.deep.equal(['draftUni']);
    expect(names((await search('?status=draft')).items)).to.deep.equal(['draftUni']);
  });

  it('pages through every sort with the keyset cursor, each offering once, in order', async () => {
    const expected = {
      created: ['algebra', 'optics', 'python', 'geometry'],
      title: ['geometry', 'optics', 'python', 'algebra'],
      termStart: ['algebra', 'python', 'optics', 'geometry'],
    };
    for (const [sort, order] of Object.entries(expected)) {
      const whole = names((await search(`?sort=${sort}`)).items);
      expect(whole, sort).to.deep.equal(order);
      for (const limit of [1, 2, 3]) {
        expect(names(await allPages(`?sort=${sort}`, limit)), `${sort} by ${limit}`).to.deep.equal(order);
      }
    }
    const last = await search('?limit=4');
    expect(last.nextCursor).to.equal(null);
  });

  it('answers 20 items by default, and refuses a cursor it did not issue', async () => {
    for (let i = 0; i < 18; i++) {
      await create(`extra${i}`, { title: `Кружок ${i}`, providerId: school }, coordSchool);
    }
    const page = await search('');
    expect(page.items).to.have.length(20);
    expect(page.nextCursor).to.be.a('string');
    const rest = await search(`?cursor=${page.nextCursor}`);
    expect(rest.items).to.have.length(2);
    expect(rest.nextCursor).to.equal(null);
    const bad = await h.api('GET', '/v1/offerings?cursor=bm90LWEtY3Vyc29y', admin);
    expect(bad.status).to.equal(400);
  });
});
