import type { EntityOf, EntityType } from '@mathnet/lms-sdk';
import { districtGenerators } from './district-records';

/** What {@link generateDistrict} makes. Counts are exact. */
export interface DistrictSpec {
  students: number;
  teachers: number;
  classes: number;
  /** Enrollment rows in all: one teacher per class first, the rest students. */
  enrollments: number;
  /** Academic sessions: a school year, then its terms (at least 1). */
  sessions: number;
  courses: number;
  seed: number;
  /** Schools under the district org (default 1); orgs = schools + 1. */
  schools?: number;
  /** Line items per class (default 1). */
  lineItemsPerClass?: number;
  /** Results: one per student enrollment from the first, on its class's first line item (default min(student enrollments, 1000)). */
  results?: number;
  /** dateLastModified of every record (default 2026-01-15T08:00:00.000Z). */
  dateLastModified?: string;
}

/**
 * A generated district. Records are produced on demand and deterministically
 * from the seed (record i is the same every time), so 100,000 users and 500,000
 * enrollments stream to a zip without being held in memory.
 */
export interface District {
  spec: Required<DistrictSpec>;
  counts: Record<EntityType, number>;
  /** The records of one entity type, in order. */
  records<T extends EntityType>(entity: T): Iterable<EntityOf<T>>;
}

/**
 * Generates a district with realistic Russian data: Cyrillic names, titles with
 * commas and quotes, a line item description with a line break. Throws when
 * the enrollments cannot be made unique (more than teachers' classes plus
 * students × classes).
 */
export function generateDistrict(input: DistrictSpec): District {
  const spec: Required<DistrictSpec> = {
    schools: 1,
    lineItemsPerClass: 1,
    dateLastModified: '2026-01-15T08:00:00.000Z',
    results: 0,
    ...input,
  };
  const { students, teachers, classes, courses, schools } = spec;
  if (spec.sessions < 1) throw new RangeError('sessions must be at least 1 (the school year)');
  if (classes > 0 && courses < 1) throw new RangeError('classes need at least one course');
  const teacherEnrollments = teachers > 0 ? Math.min(classes, spec.enrollments) : 0;
  const studentEnrollments = spec.enrollments - teacherEnrollments;
  if (studentEnrollments > students * classes) {
    throw new RangeError(`${spec.enrollments} unique enrollments need more students or classes`);
  }
  const lineItems = classes * spec.lineItemsPerClass;
  const results = spec.lineItemsPerClass > 0 ? (input.results ?? Math.min(studentEnrollments, 1000)) : 0;
  spec.results = Math.min(results, studentEnrollments);
  const terms = Math.max(1, spec.sessions - 1);
  const generators = districtGenerators(spec, {
    teacherEnrollments,
    studentEnrollments,
    lineItems,
    results: spec.results,
    terms,
  });
  return {
    spec,
    counts: {
      orgs: schools + 1,
      academicSessions: spec.sessions,
      courses,
      classes,
      users: students + teachers,
      enrollments: spec.enrollments,
      lineItems,
      results: spec.results,
    },
    records: <T extends EntityType>(entity: T) => generators[entity]() as Iterable<EntityOf<T>>,
  };
}

/** A district held in memory: arrays of records per entity type (what the REST double serves). */
export type DistrictData = { [T in EntityType]: EntityOf<T>[] };

/** Materialises a district (for the REST double; keep it small). */
export function districtData(district: District): DistrictData {
  return {
    orgs: [...district.records('orgs')],
    academicSessions: [...district.records('academicSessions')],
    courses: [...district.records('courses')],
    classes: [...district.records('classes')],
    users: [...district.records('users')],
    enrollments: [...district.records('enrollments')],
    lineItems: [...district.records('lineItems')],
    results: [...district.records('results')],
  };
}
