import oneRoster from './src/index';
import { generateDistrict, districtZip } from './test-double/index';
const d = generateDistrict({ students: 400, teachers: 30, classes: 12, enrollments: 2000, sessions: 2, courses: 5, seed: 42 });
const zip = await districtZip(d);
console.log('zip bytes', zip.length, d.counts);
const s = oneRoster.connect({ settings: {}, secrets: {} });
const counts: Record<string, number> = {};
for (const pull of ['pullRoster', 'pullGrades'] as const) {
  for await (const page of s[pull]!({ signal: new AbortController().signal, source: { kind: 'bytes', data: zip } })) {
    counts[page.entity] = (counts[page.entity] ?? 0) + page.records.length;
    if (page.rejected.length) console.log(page.entity, page.rejected.slice(0, 3));
  }
}
console.log(counts);
