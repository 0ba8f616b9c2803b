import type {
  AcademicSession,
  Class,
  Course,
  Enrollment,
  EntityOf,
  EntityType,
  LineItem,
  Org,
  Result,
  User,
} from '@mathnet/lms-sdk';
import {
  courseTitles,
  familyNames,
  femaleGivenNames,
  maleGivenNames,
  patronymics,
  resultComments,
  subjects,
} from './names';

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

/** A 32-bit integer hash of (seed, salt, i): random access to "random" choices. */
function hash(seed: number, salt: number, i: number): number {
  let h = (seed ^ Math.imul(salt, 0x9e3779b1) ^ Math.imul(i, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

function pad(n: number, total: number): string {
  return String(n + 1).padStart(Math.max(2, String(total).length), '0');
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

const letters = ['А', 'Б', 'В', 'Г'];

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
  const { students, teachers, classes, courses, seed, schools } = spec;
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
  const dlm = spec.dateLastModified;
  const base = { status: 'active' as const, dateLastModified: dlm };
  const terms = Math.max(1, spec.sessions - 1);

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

  function* orgs(): Iterable<Org> {
    yield { ...base, sourcedId: 'org-district', name: 'Управление образования, г. Новосибирск', type: 'district', identifier: 'NSK' };
    for (let i = 0; i < schools; i++) {
      yield {
        ...base,
        sourcedId: orgId(i),
        name: `МБОУ "Лицей № ${i + 1}", г. Новосибирск`,
        type: 'school',
        identifier: `L${i + 1}`,
        parentSourcedId: 'org-district',
      };
    }
  }

  function* academicSessions(): Iterable<AcademicSession> {
    const start = Date.UTC(2025, 8, 1);
    const end = Date.UTC(2026, 4, 31);
    yield { ...base, sourcedId: 'as-year', title: '2025/2026 учебный год', type: 'schoolYear', startDate: isoDay(new Date(start)), endDate: isoDay(new Date(end)), schoolYear: '2026' };
    const span = (end - start) / terms;
    for (let t = 0; t < spec.sessions - 1; t++) {
      yield {
        ...base,
        sourcedId: sessionId(t + 1),
        title: terms === 2 ? `${t + 1} полугодие` : `${t + 1} четверть`,
        type: terms === 2 ? 'semester' : 'term',
        startDate: isoDay(new Date(start + span * t)),
        endDate: isoDay(new Date(start + span * (t + 1) - 86_400_000)),
        parentSourcedId: 'as-year',
        schoolYear: '2026',
      };
    }
  }

  function* courseRecords(): Iterable<Course> {
    for (let i = 0; i < courses; i++) {
      const k = i % courseTitles.length;
      const round = Math.floor(i / courseTitles.length);
      yield {
        ...base,
        sourcedId: courseId(i),
        title: `${courseTitles[k]}${round > 0 ? ` (${round + 1})` : ''}`,
        courseCode: `C-${pad(i, courses)}`,
        grades: [classGrade(i), classGrade(i + 1)],
        subjects: [subjects[k] as string],
        orgSourcedId: orgId(i % schools),
        schoolYearSourcedId: 'as-year',
      };
    }
  }

  function* classRecords(): Iterable<Class> {
    for (let c = 0; c < classes; c++) {
      const course = c % courses;
      const grade = classGrade(c);
      const title = courseTitles[course % courseTitles.length] as string;
      yield {
        ...base,
        sourcedId: classId(c),
        title: `${Number(grade)}${letters[c % letters.length]} — ${title}`,
        classCode: `${grade}-${pad(c, classes)}`,
        classType: c % 10 === 9 ? 'homeroom' : 'scheduled',
        location: `Кабинет ${100 + (c % 40)}, корпус "${letters[c % 2]}"`,
        grades: [grade],
        subjects: [subjects[course % subjects.length] as string],
        courseSourcedId: courseId(course),
        schoolSourcedId: orgId(schoolOfClass(c)),
        termSourcedIds: [termOf(c)],
      };
    }
  }

  function person(i: number, salt: number) {
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
  }

  function* users(): Iterable<User> {
    for (let i = 0; i < students; i++) {
      const grade = gradeOf(i);
      const id = studentId(i);
      const born = Date.UTC(2026 - 6 - Number(grade), 0, 1) + (hash(seed, 9, i) % 365) * 86_400_000;
      yield {
        ...base,
        sourcedId: id,
        enabledUser: true,
        username: id.replace('-', ''),
        userIds: [{ type: 'SIS', identifier: `S${pad(i, students)}` }],
        ...person(i, 10),
        roles: [{ roleType: 'primary', role: 'student', orgSourcedId: orgId(i % schools) }],
        email: `${id}@school.example.ru`,
        agentSourcedIds: [],
        grades: [grade],
        birthDate: isoDay(new Date(born)),
      };
    }
    for (let i = 0; i < teachers; i++) {
      const id = teacherId(i);
      yield {
        ...base,
        sourcedId: id,
        enabledUser: true,
        username: id.replace('-', ''),
        userIds: [{ type: 'SIS', identifier: `T${pad(i, teachers)}` }],
        ...person(i, 20),
        roles: [{ roleType: 'primary', role: 'teacher', orgSourcedId: orgId(i % schools) }],
        email: `${id}@school.example.ru`,
        phone: `+7 913 ${String(1_000_000 + i).slice(1, 4)}-${String(1_000_000 + i).slice(4)}`,
        agentSourcedIds: [],
        grades: [],
      };
    }
  }

  function* enrollmentRecords(): Iterable<Enrollment> {
    let n = 0;
    const id = () => `enr-${pad(n++, spec.enrollments)}`;
    for (let c = 0; c < teacherEnrollments; c++) {
      yield { ...base, sourcedId: id(), classSourcedId: classId(c), schoolSourcedId: orgId(schoolOfClass(c)), userSourcedId: teacherId(c % teachers), role: 'teacher', primary: true };
    }
    for (let j = 0; j < studentEnrollments; j++) {
      const { s, c } = studentEnrollment(j);
      yield { ...base, sourcedId: id(), classSourcedId: classId(c), schoolSourcedId: orgId(schoolOfClass(c)), userSourcedId: studentId(s), role: 'student', primary: false, beginDate: '2025-09-01' };
    }
  }

  function* lineItemRecords(): Iterable<LineItem> {
    for (let c = 0; c < classes; c++) {
      for (let k = 0; k < spec.lineItemsPerClass; k++) {
        yield {
          ...base,
          sourcedId: `li-${pad(c * spec.lineItemsPerClass + k, lineItems)}`,
          title: `Контрольная работа № ${k + 1}`,
          description: `Тема: "Дроби и проценты", часть ${k + 1},\nвариант 1`,
          assignDate: `2025-10-${String(1 + (k % 28)).padStart(2, '0')}T09:00:00.000Z`,
          dueDate: `2025-10-${String(2 + (k % 27)).padStart(2, '0')}T18:00:00.000Z`,
          classSourcedId: classId(c),
          resultValueMin: 2,
          resultValueMax: 5,
        };
      }
    }
  }

  function* resultRecords(): Iterable<Result> {
    for (let r = 0; r < spec.results; r++) {
      const { s, c } = studentEnrollment(r);
      yield {
        ...base,
        sourcedId: `res-${pad(r, spec.results)}`,
        lineItemSourcedId: `li-${pad(c * spec.lineItemsPerClass, lineItems)}`,
        studentSourcedId: studentId(s),
        score: 2 + (hash(seed, 30, r) % 4),
        scoreStatus: 'fully graded',
        scoreDate: '2025-10-03',
        comment: resultComments[hash(seed, 31, r) % resultComments.length] || undefined,
      };
    }
  }

  const generators: { [T in EntityType]: () => Iterable<EntityOf<T>> } = {
    orgs,
    academicSessions,
    courses: courseRecords,
    classes: classRecords,
    users,
    enrollments: enrollmentRecords,
    lineItems: lineItemRecords,
    results: resultRecords,
  };
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
