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
import type { DistrictSpec } from './district';
import { type DistrictPlan, districtLayout, hash, isoDay, letters, pad } from './district-layout';
import { courseTitles, resultComments, subjects } from './names';

/** The record generators of a district, one per entity type (each call starts over, same records). */
export function districtGenerators(
  spec: Required<DistrictSpec>,
  plan: DistrictPlan,
): { [T in EntityType]: () => Iterable<EntityOf<T>> } {
  const { students, teachers, classes, courses, seed, schools } = spec;
  const { teacherEnrollments, studentEnrollments, lineItems, terms } = plan;
  const dlm = spec.dateLastModified;
  const {
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
  } = districtLayout(spec, plan);

  function* orgs(): Iterable<Org> {
    yield {
      status: 'active',
      dateLastModified: dlm,
      sourcedId: 'org-district',
      name: 'Управление образования, г. Новосибирск',
      type: 'district',
      identifier: 'NSK',
    };
    for (let i = 0; i < schools; i++) {
      yield {
        status: 'active',
        dateLastModified: dlm,
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
    yield {
      status: 'active',
      dateLastModified: dlm,
      sourcedId: 'as-year',
      title: '2025/2026 учебный год',
      type: 'schoolYear',
      startDate: isoDay(new Date(start)),
      endDate: isoDay(new Date(end)),
      schoolYear: '2026',
    };
    const span = (end - start) / terms;
    for (let t = 0; t < spec.sessions - 1; t++) {
      yield {
        status: 'active',
        dateLastModified: dlm,
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
        status: 'active',
        dateLastModified: dlm,
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
        status: 'active',
        dateLastModified: dlm,
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

  function* users(): Iterable<User> {
    for (let i = 0; i < students; i++) {
      const grade = gradeOf(i);
      const id = studentId(i);
      const student = person(i, 10);
      const born = Date.UTC(2026 - 6 - Number(grade), 0, 1) + (hash(seed, 9, i) % 365) * 86_400_000;
      yield {
        status: 'active',
        dateLastModified: dlm,
        sourcedId: id,
        enabledUser: true,
        username: id.replace('-', ''),
        userIds: [{ type: 'SIS', identifier: `S${pad(i, students)}` }],
        givenName: student.givenName,
        familyName: student.familyName,
        middleName: student.middleName,
        roles: [{ roleType: 'primary', role: 'student', orgSourcedId: orgId(i % schools) }],
        email: `${id}@school.example.ru`,
        agentSourcedIds: [],
        grades: [grade],
        birthDate: isoDay(new Date(born)),
      };
    }
    for (let i = 0; i < teachers; i++) {
      const id = teacherId(i);
      const teacher = person(i, 20);
      yield {
        status: 'active',
        dateLastModified: dlm,
        sourcedId: id,
        enabledUser: true,
        username: id.replace('-', ''),
        userIds: [{ type: 'SIS', identifier: `T${pad(i, teachers)}` }],
        givenName: teacher.givenName,
        familyName: teacher.familyName,
        middleName: teacher.middleName,
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
      yield {
        status: 'active',
        dateLastModified: dlm,
        sourcedId: id(),
        classSourcedId: classId(c),
        schoolSourcedId: orgId(schoolOfClass(c)),
        userSourcedId: teacherId(c % teachers),
        role: 'teacher',
        primary: true,
      };
    }
    for (let j = 0; j < studentEnrollments; j++) {
      const { s, c } = studentEnrollment(j);
      yield {
        status: 'active',
        dateLastModified: dlm,
        sourcedId: id(),
        classSourcedId: classId(c),
        schoolSourcedId: orgId(schoolOfClass(c)),
        userSourcedId: studentId(s),
        role: 'student',
        primary: false,
        beginDate: '2025-09-01',
      };
    }
  }

  function* lineItemRecords(): Iterable<LineItem> {
    for (let c = 0; c < classes; c++) {
      for (let k = 0; k < spec.lineItemsPerClass; k++) {
        yield {
          status: 'active',
          dateLastModified: dlm,
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
        status: 'active',
        dateLastModified: dlm,
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

  return {
    orgs,
    academicSessions,
    courses: courseRecords,
    classes: classRecords,
    users,
    enrollments: enrollmentRecords,
    lineItems: lineItemRecords,
    results: resultRecords,
  };
}
