import type { MoodleDoubleState, SeedCourse, SeedToken, SeedUser } from './double-state';
import type { ParamDesc } from './moodle-params';
import { missingRecord } from './moodle-ws-error';

/** What a function of the double runs with. */
export interface WsContext {
  state: MoodleDoubleState;
  token: SeedToken;
  /** The user the token acts as. */
  wsUser: SeedUser;
  /** The functions the token's service allows. */
  allowedFunctions: string[];
}

/** One external function: its parameter description and what it does (returns the decoded answer). */
export interface WsFunction {
  params: Record<string, ParamDesc>;
  run(args: Record<string, unknown>, ctx: WsContext): unknown;
}

/** `$DB->get_record('course', ['id' => $id], '*', MUST_EXIST)`. */
export function courseOrThrow(state: MoodleDoubleState, courseId: number): SeedCourse {
  const course = state.courses.find((c) => c.id === courseId);
  if (!course) throw missingRecord('course');
  return course;
}

export function fullnameOf(user: SeedUser): string {
  return `${user.firstname} ${user.lastname}`.trim();
}

/** The course record as core_course_get_courses returns it. */
export function courseOut(course: SeedCourse) {
  return {
    id: course.id,
    shortname: course.shortname,
    categoryid: course.categoryid ?? 1,
    categorysortorder: 10000 + course.id,
    fullname: course.fullname,
    displayname: course.fullname,
    idnumber: course.idnumber ?? '',
    summary: '',
    summaryformat: 1,
    format: 'topics',
    showgrades: 1,
    newsitems: 5,
    startdate: 1725138000,
    enddate: 1748725200,
    numsections: 10,
    maxbytes: 0,
    showreports: 0,
    visible: course.visible === false ? 0 : 1,
    groupmode: 0,
    groupmodeforce: 0,
    defaultgroupingid: 0,
    timecreated: 1724000000,
    timemodified: course.timemodified ?? 1724500000,
    enablecompletion: course.completionEnabled === false ? 0 : 1,
    completionnotify: 0,
    lang: '',
    forcetheme: '',
  };
}
