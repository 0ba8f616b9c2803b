import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { generateDistrict, writeOneRosterZip } from '../test-double/index';
import { csvSession } from './helpers';

/*
 * The full 100,000-user / 500,000-enrollment figure comes from
 * scripts/stream-100k.ts (too slow for every test run on a busy machine);
 * this checks the same path on a third of it.
 */
describe('OneRoster CSV: streaming a large archive', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oneroster-stream-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('imports 30,000 users and 150,000 enrollments page by page with bounded memory', async () => {
    const district = generateDistrict({
      students: 29_000,
      teachers: 1_000,
      classes: 1_200,
      enrollments: 150_000,
      sessions: 3,
      courses: 40,
      seed: 9,
      schools: 12,
      results: 0,
    });
    const { path } = await writeOneRosterZip(join(dir, 'district.zip'), district);
    const before = process.memoryUsage().rss;
    let peak = before;
    let largestPage = 0;
    const seen: Record<string, number> = {};
    const pages = csvSession().pullRoster?.({
      signal: new AbortController().signal,
      source: { kind: 'file', path },
      pageSize: 1000,
    });
    if (!pages) throw new Error('pullRoster is missing');
    for await (const page of pages) {
      seen[page.entity] = (seen[page.entity] ?? 0) + page.records.length;
      largestPage = Math.max(largestPage, page.records.length);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(seen).to.deep.equal({
      orgs: 13,
      academicSessions: 3,
      courses: 40,
      classes: 1200,
      users: 30_000,
      enrollments: 150_000,
    });
    expect(largestPage).to.equal(1000);
    // Generous: the roles map and the per-file sourcedId set are O(rows) of small strings, the rest is pages.
    expect(peak - before).to.be.lessThan(250 * 1024 * 1024);
  });
});
