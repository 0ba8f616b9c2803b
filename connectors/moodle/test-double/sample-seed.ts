import type {
  MoodleDoubleSeed,
  SeedCompletion,
  SeedEnrolment,
  SeedGrade,
  SeedGradeItem,
  SeedUser,
} from './double-state';
import { doubleFunctionNames } from './moodle-double';

/** Tokens of the sample seed. */
export const sampleTokens = {
  /** Every function the double knows. */
  full: 'a8f3c2e1d4b5a6978877665544332211',
  /** Read-only: no enrolment functions (test() must refuse it). */
  readOnly: 'b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6',
  /** The required functions only: no completion, no role unassign. */
  requiredOnly: 'c0ffee00c0ffee00c0ffee00c0ffee00',
} as const;

const requiredOnly = [
  'core_webservice_get_site_info',
  'core_course_get_courses',
  'core_course_get_courses_by_field',
  'core_enrol_get_enrolled_users',
  'enrol_manual_enrol_users',
  'enrol_manual_unenrol_users',
  'gradereport_user_get_grade_items',
];

const maleNames = [
  'Александр',
  'Дмитрий',
  'Максим',
  'Иван',
  'Артём',
  'Михаил',
  'Никита',
  'Егор',
  'Тимофей',
  'Лев',
];
const femaleNames = [
  'Анастасия',
  'Мария',
  'Дарья',
  'Анна',
  'Виктория',
  'Полина',
  'Елизавета',
  'Софья',
  'Алиса',
  'Варвара',
];
const surnames = [
  'Иванов',
  'Смирнов',
  'Кузнецов',
  'Попов',
  'Васильев',
  'Петров',
  'Соколов',
  'Михайлов',
  'Новиков',
  'Фёдоров',
  'Морозов',
  'Волков',
  'Алексеев',
  'Лебедев',
  'Семёнов',
  'Егоров',
  'Павлов',
  'Козлов',
];

const translit: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'y',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
};
const latin = (text: string) => [...text.toLowerCase()].map((c) => translit[c] ?? c).join('');

/** The n-th generated student (ids from 100): Cyrillic names, a school idnumber on most of them. */
export function sampleStudent(n: number): SeedUser {
  const female = n % 2 === 1;
  const firstname = (female ? femaleNames : maleNames)[Math.floor(n / 2) % 10]!;
  const base = surnames[n % surnames.length]!;
  const lastname = female ? `${base}а` : base;
  const username = `${latin(firstname)}.${latin(lastname)}${n}`;
  return {
    id: 100 + n,
    username,
    firstname,
    lastname,
    email: `${username}@school1.example`,
    // Every seventh student has no idnumber (not every school fills it in).
    ...(n % 7 === 3 ? {} : { idnumber: `УЧ-${String(2024000 + n)}` }),
  };
}

/** Options of {@link sampleMoodleSeed}. */
export interface SampleSeedOptions {
  /** Students per course (default 12); consecutive courses share half of them. */
  studentsPerCourse?: number;
  maxLimitNumber?: number;
}

/**
 * A small school's Moodle: five courses (maths, physics, informatics), their
 * teachers and students with Cyrillic names, a manager enrolled in one course,
 * grade items with grades and feedback, course completion (off in one course),
 * and the tokens of {@link sampleTokens}.
 */
export function sampleMoodleSeed(options: SampleSeedOptions = {}): MoodleDoubleSeed {
  const perCourse = options.studentsPerCourse ?? 12;
  const courses = [
    { id: 2, shortname: 'АЛГ-7А', fullname: 'Алгебра, 7А класс', categoryid: 2, idnumber: 'ALG-7A' },
    { id: 3, shortname: 'ГЕОМ-8Б', fullname: 'Геометрия, 8Б класс', categoryid: 2 },
    { id: 4, shortname: 'ФИЗ-9В', fullname: 'Физика, 9В класс', categoryid: 3 },
    { id: 5, shortname: 'ИНФ-10А', fullname: 'Информатика: алгоритмы и структуры данных', categoryid: 4 },
    {
      id: 6,
      shortname: 'ОЛИМП-МАТ',
      fullname: 'Олимпиадная математика',
      categoryid: 2,
      completionEnabled: false,
    },
  ];
  const teachers: SeedUser[] = [
    {
      id: 10,
      username: 'sokolova.mi',
      firstname: 'Мария Ивановна',
      lastname: 'Соколова',
      email: 'sokolova@school1.example',
      idnumber: 'УЧИТ-001',
    },
    {
      id: 11,
      username: 'orlov.pa',
      firstname: 'Павел Андреевич',
      lastname: 'Орлов',
      email: 'orlov@school1.example',
      idnumber: 'УЧИТ-002',
    },
    {
      id: 12,
      username: 'belova.ts',
      firstname: 'Татьяна Сергеевна',
      lastname: 'Белова',
      email: 'belova@school1.example',
    },
  ];
  const manager: SeedUser = {
    id: 20,
    username: 'zavuch',
    firstname: 'Ольга Петровна',
    lastname: 'Завьялова',
    email: 'zavuch@school1.example',
  };
  const studentCount = Math.ceil((perCourse * (courses.length + 1)) / 2);
  const students = Array.from({ length: studentCount }, (_, n) => sampleStudent(n));

  const enrolments: SeedEnrolment[] = [
    { courseid: 2, userid: 10, roleid: 3 },
    { courseid: 3, userid: 10, roleid: 3 },
    { courseid: 4, userid: 11, roleid: 3 },
    { courseid: 5, userid: 12, roleid: 3 },
    { courseid: 5, userid: 11, roleid: 4 },
    { courseid: 6, userid: 10, roleid: 3 },
    // The teacher of physics also studies in the olympiad course; the manager only looks.
    { courseid: 6, userid: 11, roleid: 5 },
    { courseid: 2, userid: 20, roleid: 1 },
  ];
  courses.forEach((course, i) => {
    const from = Math.floor((i * perCourse) / 2);
    for (const student of students.slice(from, from + perCourse)) {
      enrolments.push({ courseid: course.id, userid: student.id, roleid: 5 });
    }
  });

  const gradeItems: SeedGradeItem[] = [];
  const grades: SeedGrade[] = [];
  const completions: SeedCompletion[] = [];
  let itemId = 1;
  for (const course of courses) {
    const test = {
      id: itemId++,
      courseid: course.id,
      itemname: 'Контрольная работа №1',
      itemtype: 'mod' as const,
      itemmodule: 'assign',
      grademin: 0,
      grademax: 10,
    };
    const quiz = {
      id: itemId++,
      courseid: course.id,
      itemname: 'Тест: дроби и проценты',
      itemtype: 'mod' as const,
      itemmodule: 'quiz',
      grademin: 0,
      grademax: 20,
    };
    gradeItems.push(test, quiz, {
      id: itemId++,
      courseid: course.id,
      itemname: null,
      itemtype: 'course',
      grademin: 0,
      grademax: 30,
    });
    const enrolled = enrolments.filter((e) => e.courseid === course.id && e.roleid === 5);
    enrolled.forEach((e, k) => {
      // Most students have both grades; every fifth has not handed in the test yet.
      if (k % 5 !== 4)
        grades.push({
          itemid: test.id,
          userid: e.userid,
          graderaw: 5 + (k % 6),
          feedback: k % 3 === 0 ? '<p>Хорошо, но проверьте <b>задачу 3</b>.</p>' : undefined,
        });
      grades.push({ itemid: quiz.id, userid: e.userid, graderaw: 8 + ((k * 3) % 13) });
      completions.push({ courseid: course.id, userid: e.userid, completed: k % 2 === 0 });
    });
  }

  return {
    site: { sitename: 'МБОУ «Школа №1»: дистанционное обучение' },
    courses,
    users: [...teachers, manager, ...students],
    enrolments,
    gradeItems,
    grades,
    completions,
    tokens: [
      { token: sampleTokens.full, userid: 2, functions: doubleFunctionNames },
      {
        token: sampleTokens.readOnly,
        userid: 2,
        functions: requiredOnly.filter((f) => !f.startsWith('enrol_')),
      },
      { token: sampleTokens.requiredOnly, userid: 2, functions: requiredOnly },
    ],
    maxLimitNumber: options.maxLimitNumber ?? 100,
  };
}
