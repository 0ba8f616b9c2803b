import { gradebookRoleIds, type MoodleDoubleState, type SeedGradeItem, type SeedUser } from './double-state';
import { value, withDefault } from './moodle-params';
import { missingRecord, moodleException } from './moodle-ws-error';
import { courseOrThrow, fullnameOf, type WsFunction } from './ws-function';

function isStudent(state: MoodleDoubleState, courseId: number, userId: number): boolean {
  return state.enrolments.some(
    (e) => e.courseid === courseId && e.userid === userId && e.roleids.some((r) => gradebookRoleIds.has(r)),
  );
}

/** One row of the user report: the grade of a user for an item (course total = sum of the graded items, natural aggregation). */
function gradeItemOut(state: MoodleDoubleState, item: SeedGradeItem, user: SeedUser, items: SeedGradeItem[]) {
  let grade = state.grades.find((g) => g.itemid === item.id && g.userid === user.id);
  if (!grade && item.itemtype === 'course') {
    const graded = items
      .filter((i) => i.itemtype !== 'course' && i.itemtype !== 'category')
      .map((i) => state.grades.find((g) => g.itemid === i.id && g.userid === user.id)?.graderaw)
      .filter((g): g is number => typeof g === 'number');
    if (graded.length > 0)
      grade = { itemid: item.id, userid: user.id, graderaw: graded.reduce((a, b) => a + b, 0) };
  }
  const raw = grade?.graderaw ?? null;
  const min = item.grademin ?? 0;
  const max = item.grademax ?? 100;
  return {
    id: item.id,
    itemname: item.itemname,
    itemtype: item.itemtype,
    itemmodule: item.itemmodule ?? null,
    iteminstance: item.itemtype === 'course' ? item.courseid : item.id,
    itemnumber: 0,
    idnumber: '',
    categoryid: item.itemtype === 'course' ? null : 1,
    outcomeid: null,
    scaleid: null,
    locked: false,
    ...(item.itemtype === 'mod' ? { cmid: 100 + item.id } : {}),
    weightraw: 0,
    graderaw: raw,
    gradedatesubmitted: null,
    gradedategraded: raw === null ? null : (grade?.timegraded ?? 1730000000),
    gradehiddenbydate: false,
    gradeneedsupdate: false,
    gradeishidden: false,
    gradeislocked: false,
    gradeisoverridden: false,
    gradeformatted: raw === null ? '-' : raw.toFixed(2).replace('.', ','),
    grademin: min,
    grademax: max,
    rangeformatted: `${min}–${max}`,
    percentageformatted:
      raw === null ? '-' : `${(((raw - min) / (max - min || 1)) * 100).toFixed(2).replace('.', ',')} %`,
    feedback: grade?.feedback ?? '',
    feedbackformat: 1,
  };
}

/** gradereport_user_get_grade_items: the user report of every student of the course (or of `userid`). */
const getGradeItems: WsFunction = {
  params: {
    courseid: value('int'),
    userid: withDefault(value('int'), 0),
    groupid: withDefault(value('int'), 0),
  },
  run(args, { state }) {
    const course = courseOrThrow(state, args.courseid as number);
    const userId = args.userid as number;
    if (userId !== 0 && !state.users.some((u) => u.id === userId)) throw missingRecord('user');
    const items = state.gradeItems
      .filter((i) => i.courseid === course.id)
      .sort((a, b) => (a.itemtype === 'course' ? 1 : 0) - (b.itemtype === 'course' ? 1 : 0) || a.id - b.id);
    const students = state.users
      .filter((u) => isStudent(state, course.id, u.id) && (userId === 0 || u.id === userId))
      .sort((a, b) => a.id - b.id);
    return {
      usergrades: students.map((user) => ({
        courseid: course.id,
        courseidnumber: course.idnumber ?? '',
        userid: user.id,
        userfullname: fullnameOf(user),
        useridnumber: user.idnumber ?? '',
        maxdepth: 2,
        gradeitems: items.map((item) => gradeItemOut(state, item, user, items)),
      })),
      warnings: [],
    };
  },
};

/** core_completion_get_course_completion_status (completion/classes/external.php). */
const getCompletionStatus: WsFunction = {
  params: { courseid: value('int'), userid: value('int') },
  run(args, { state }) {
    const course = courseOrThrow(state, args.courseid as number);
    const user = state.users.find((u) => u.id === args.userid);
    if (!user) throw missingRecord('user');
    if (course.completionEnabled === false)
      throw moodleException('cannotviewreport', 'You cannot view this report');
    if (!isStudent(state, course.id, user.id))
      throw moodleException('usernotenroled', 'User is not enrolled in this course');
    const completed =
      state.completions.find((c) => c.courseid === course.id && c.userid === user.id)?.completed ?? false;
    return {
      completionstatus: {
        completed,
        aggregation: 1,
        completions: [
          {
            type: 6,
            title: 'Оценка за курс',
            status: completed ? 'Да' : 'Нет',
            complete: completed,
            timecompleted: completed ? 1730000000 : null,
            details: { type: 'Оценка за курс', criteria: 'Проходной балл', requirement: '50,00', status: '' },
          },
        ],
      },
      warnings: [],
    };
  },
};

export const gradeFunctions: Record<string, WsFunction> = {
  gradereport_user_get_grade_items: getGradeItems,
  core_completion_get_course_completion_status: getCompletionStatus,
};
