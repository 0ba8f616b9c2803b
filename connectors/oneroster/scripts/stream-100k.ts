/**
 * Generates a district of 100,000 users and 500,000 enrollments as a OneRoster
 * CSV zip on disk, then imports it with the connector, printing times and RSS
 * (the memory stays bounded: pages are consumed and dropped as they come).
 * Run: npx tsx scripts/stream-100k.ts [students] [enrollments]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import oneRosterConnector from '../src/index';
import { generateDistrict, writeOneRosterZip } from '../test-double/index';

const students = Number(process.argv[2] ?? 97_000);
const enrollments = Number(process.argv[3] ?? 500_000);
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
const dir = mkdtempSync(join(tmpdir(), 'oneroster-100k-'));
try {
  const district = generateDistrict({
    students,
    teachers: 100_000 - students,
    classes: 4000,
    enrollments,
    sessions: 3,
    courses: 60,
    seed: 7,
    schools: 40,
    results: 0,
  });
  let t = performance.now();
  const { path, bytes } = await writeOneRosterZip(join(dir, 'district.zip'), district);
  console.log(
    `generated ${district.counts.users} users, ${district.counts.enrollments} enrollments: ${mb(bytes)} zip in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  const session = oneRosterConnector.connect({ settings: {}, secrets: {} });
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const counts: Record<string, number> = {};
  let rejected = 0;
  t = performance.now();
  for await (const page of session.pullRoster!({
    signal: new AbortController().signal,
    source: { kind: 'file', path },
  })) {
    counts[page.entity] = (counts[page.entity] ?? 0) + page.records.length;
    rejected += page.rejected.length;
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  const seconds = (performance.now() - t) / 1000;
  console.log(`imported in ${seconds.toFixed(1)} s:`, counts, `rejected ${rejected}`);
  console.log(`RSS before ${mb(rssBefore)}, peak ${mb(peak)}, growth ${mb(peak - rssBefore)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
