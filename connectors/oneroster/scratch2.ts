import { generateDistrict, districtCsvChunks, districtFiles } from './test-double/index';
const district = generateDistrict({ students: 97000, teachers: 3000, classes: 4000, enrollments: 500000, sessions: 3, courses: 60, seed: 7, schools: 40, results: 0 });
for (const f of districtFiles) {
  const t = performance.now(); let n = 0;
  for (const c of districtCsvChunks(district, f)) n += c.length;
  console.log(f, n, ((performance.now() - t)).toFixed(0), 'ms');
}
