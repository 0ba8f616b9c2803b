import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type District, generateDistrict, writeOneRosterZip } from '@mathnet/connector-oneroster/test-double';
import type { CleanupStack } from './bench-run';
import type { ImportTargets } from './lms-progress';

/** The district of the acceptance target at scale 1: 100,000 users, 500,000 enrollments. */
export function districtAtScale(scale: number, seed: number): District {
  const at = (n: number, least: number) => Math.max(least, Math.round(n * scale));
  return generateDistrict({
    students: at(95_000, 10),
    teachers: at(5_000, 1),
    classes: at(2_000, 2),
    enrollments: at(500_000, 20),
    sessions: 2,
    courses: at(50, 1),
    seed,
  });
}

/** What registry and courses must hold after the district's import, and the run's expected `created`. */
export function targetsOf(district: District): { targets: ImportTargets; created: number; rows: number } {
  let studentEnrollments = 0;
  for (const e of district.records('enrollments')) if (e.role === 'student') studentEnrollments += 1;
  const { users, classes, enrollments, results } = district.counts;
  return {
    targets: {
      people: users,
      offerings: classes,
      enrollments: studentEnrollments,
      facts: { people: users, classes, enrollments },
    },
    // The run counts users, classes, enrollments and results (ADR 0006).
    created: users + classes + enrollments + results,
    rows: users + classes + enrollments,
  };
}

/** Writes the district as a OneRoster CSV zip in a temp folder (removed by `cleanup`); returns its bytes. */
export async function districtZipFile(
  district: District,
  cleanup: CleanupStack,
): Promise<{ data: Buffer; bytes: number; ms: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-lms-'));
  cleanup.add(`removing ${dir}`, () => rm(dir, { recursive: true, force: true }));
  const t = performance.now();
  const { path, bytes } = await writeOneRosterZip(join(dir, 'district.zip'), district);
  const ms = performance.now() - t;
  return { data: await readFile(path), bytes, ms };
}
