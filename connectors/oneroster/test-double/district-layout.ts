import type { DistrictSpec } from './district';
import { familyNames, femaleGivenNames, maleGivenNames, patronymics } from './names';

/** A 32-bit integer hash of (seed, salt, i): random access to "random" choices. */
export function hash(seed: number, salt: number, i: number): number {
  let h = (seed ^ Math.imul(salt, 0x9e3779b1) ^ Math.imul(i, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** 1-based, zero-padded to the width of the total (ids sort as they were made). */
export function pad(n: number, total: number): string {
  return String(n + 1).padStart(Math.max(2, String(total).length), '0');
}

/** YYYY-MM-DD of a UTC date. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Class letters (8А, 8Б…). */
export const letters = ['А', 'Б', 'В', 'Г'];

/** Derived counts of a district: who is enrolled where. */
export interface DistrictPlan {
  teacherEnrollments: number;
  studentEnrollments: number;
  lineItems: number;
  results: number;
  /** Academic sessions below the school year (at least 1: the year itself when alone). */
  terms: number;
}

/**
 * The ids and the deterministic choices of a district: record i of each kind
 * can be made on its own (random access), which keeps the generator streaming.
 */
export function districtLayout(spec: Required<DistrictSpec>, plan: DistrictPlan) {
  const { students, teachers, classes, courses, seed, schools } = spec;
  const { terms } = plan;
  const orgId = (i: number) => `org-school-${pad(i, schools)}`;
  const sessionId = (i: number) => (i === 0 ? 'as-year' : `as-term-${pad(i - 1, terms)}`);
  const termOf = (c: number) => (spec.sessions === 1 ? sessionId(0) : sessionId(1 + (c % terms)));
  const courseId = (i: number) => `crs-${pad(i, courses)}`;
  const classId = (i: number) => `cls-${pad(i, classes)}`;
  const studentId = (i: number) => `stu-${pad(i, students)}`;
  const teacherId = (i: number) => `tch-${pad(i, teachers)}`;
  const gradeOf = (i: number) => String(5 + (hash(seed, 1, i) % 7)).padStart(2, '0');
  const classGrade = (c: number) => String(5 + (c % 7)).padStart(2, '0');
  const schoolOfClass = (c: number) => c % schools;
  /** Student enrollment j: student j mod students, in its (j div students)-th class; unique pairs. */
  const studentEnrollment = (j: number) => {
    const s = j % students;
    const round = Math.floor(j / students);
    return { s, c: (Math.imul(s, 7) + round) % classes };
  };

  /** A Russian name: given name, family name (feminine form for women), patronymic (sometimes none). */
  const person = (i: number, salt: number) => {
    const female = hash(seed, salt, i) % 2 === 0;
    const given = female ? femaleGivenNames : maleGivenNames;
    const family = familyNames[hash(seed, salt + 1, i) % familyNames.length] as string;
    const patronymic = patronymics[hash(seed, salt + 2, i) % patronymics.length] as [string, string];
    let familyName = female ? `${family}а` : family;
    // Some double-barrelled family names.
    if (i % 53 === 7) familyName = `${familyName}-${female ? 'Петрова' : 'Петров'}`;
    return {
      givenName: given[hash(seed, salt + 3, i) % given.length] as string,
      familyName,
      middleName: i % 11 === 5 ? undefined : patronymic[female ? 1 : 0],
    };
  };

  return {
    orgId,
    sessionId,
    termOf,
    courseId,
    classId,
    studentId,
    teacherId,
    gradeOf,
    classGrade,
    schoolOfClass,
    studentEnrollment,
    person,
  };
}
