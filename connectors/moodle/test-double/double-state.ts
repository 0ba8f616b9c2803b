/** A Moodle course of the seed (the double adds the site course, id 1, by itself). */
export interface SeedCourse {
  id: number;
  shortname: string;
  fullname: string;
  categoryid?: number;
  idnumber?: string;
  visible?: boolean;
  /** Course completion enabled, with criteria (default true). */
  completionEnabled?: boolean;
  timemodified?: number;
}

export interface SeedUser {
  id: number;
  username: string;
  firstname: string;
  lastname: string;
  email?: string;
  idnumber?: string;
}

/** A user enrolled in a course (manual enrolment) with one role; several entries give several roles. */
export interface SeedEnrolment {
  courseid: number;
  userid: number;
  roleid: number;
}

export interface SeedGradeItem {
  id: number;
  courseid: number;
  /** Moodle sends null for the course total. */
  itemname: string | null;
  itemtype: 'mod' | 'manual' | 'course' | 'category';
  itemmodule?: string;
  grademin?: number;
  grademax?: number;
}

export interface SeedGrade {
  itemid: number;
  userid: number;
  graderaw: number | null;
  feedback?: string;
  /** Unix seconds. */
  timegraded?: number;
}

export interface SeedCompletion {
  courseid: number;
  userid: number;
  completed: boolean;
}

/** A web service token and what its external service allows. */
export interface SeedToken {
  token: string;
  /** The Moodle user the token acts as (default 2, the admin). */
  userid?: number;
  /** The functions of the token's service (default: every function the double knows). */
  functions?: string[];
  /** A disabled service answers `servicenotavailable` (default true). */
  serviceEnabled?: boolean;
}

/** Everything the double starts with. */
export interface MoodleDoubleSeed {
  site?: { sitename?: string; release?: string; version?: string; siteurl?: string };
  courses: SeedCourse[];
  users: SeedUser[];
  enrolments?: SeedEnrolment[];
  gradeItems?: SeedGradeItem[];
  grades?: SeedGrade[];
  completions?: SeedCompletion[];
  tokens: SeedToken[];
  /** The most users core_enrol_get_enrolled_users serves per call, whatever limitnumber asks (default 100). */
  maxLimitNumber?: number;
  /** Send `debuginfo` in exceptions, as a site with debugging on does (default false). */
  debugging?: boolean;
}

/** The live state of a double: tests read it and may change it (e.g. `mode = 'down'`). */
export interface MoodleDoubleState {
  /** `down`: every request gets HTTP 503; `ratelimited`: HTTP 429 with Retry-After (a proxy in front of Moodle). */
  mode: 'up' | 'down' | 'ratelimited';
  site: { sitename: string; release: string; version: string; siteurl: string };
  courses: SeedCourse[];
  users: SeedUser[];
  /** Enrolled users per course with their role ids (a user may be enrolled with no role). */
  enrolments: { courseid: number; userid: number; roleids: number[] }[];
  gradeItems: SeedGradeItem[];
  grades: SeedGrade[];
  completions: SeedCompletion[];
  tokens: SeedToken[];
  maxLimitNumber: number;
  debugging: boolean;
  /** Every call with a valid token to a known function, in order (also those the token may not make). */
  calls: { wsfunction: string; params: unknown }[];
}

/** Standard roles of a Moodle install (id → shortname); `name` is empty for them, Moodle translates by shortname. */
export const standardRoles: Record<number, string> = {
  1: 'manager',
  2: 'coursecreator',
  3: 'editingteacher',
  4: 'teacher',
  5: 'student',
  6: 'guest',
  7: 'user',
  8: 'frontpage',
};

/** Roles an admin may assign in a course (get_assignable_roles). */
export const assignableRoleIds = new Set([1, 3, 4, 5]);

/** The gradebook roles (`$CFG->gradebookroles`): only students have a user report. */
export const gradebookRoleIds = new Set([5]);

/** Builds the state from a seed: adds guest and admin users and a course total item per course when missing. */
export function stateFromSeed(seed: MoodleDoubleSeed): MoodleDoubleState {
  const users = [...seed.users];
  if (!users.some((u) => u.id === 1))
    users.unshift({ id: 1, username: 'guest', firstname: 'Гость', lastname: ' ' });
  if (!users.some((u) => u.id === 2)) {
    users.splice(1, 0, {
      id: 2,
      username: 'admin',
      firstname: 'Администратор',
      lastname: 'Сайта',
      email: 'admin@example.org',
    });
  }
  const enrolments: MoodleDoubleState['enrolments'] = [];
  for (const e of seed.enrolments ?? []) {
    const existing = enrolments.find((x) => x.courseid === e.courseid && x.userid === e.userid);
    if (existing) {
      if (!existing.roleids.includes(e.roleid)) existing.roleids.push(e.roleid);
    } else {
      enrolments.push({ courseid: e.courseid, userid: e.userid, roleids: [e.roleid] });
    }
  }
  const gradeItems = [...(seed.gradeItems ?? [])];
  let nextItemId = Math.max(0, ...gradeItems.map((i) => i.id)) + 1;
  for (const course of seed.courses) {
    if (!gradeItems.some((i) => i.courseid === course.id && i.itemtype === 'course')) {
      gradeItems.push({
        id: nextItemId++,
        courseid: course.id,
        itemname: null,
        itemtype: 'course',
        grademin: 0,
        grademax: 100,
      });
    }
  }
  return {
    mode: 'up',
    site: {
      sitename: seed.site?.sitename ?? 'Школа №1: Moodle',
      release: seed.site?.release ?? '4.5.2 (Build: 20250210)',
      version: seed.site?.version ?? '2024100702.00',
      siteurl: seed.site?.siteurl ?? 'https://moodle.school1.example',
    },
    courses: [...seed.courses],
    users,
    enrolments,
    gradeItems,
    grades: [...(seed.grades ?? [])],
    completions: [...(seed.completions ?? [])],
    tokens: [...seed.tokens],
    maxLimitNumber: seed.maxLimitNumber ?? 100,
    debugging: seed.debugging ?? false,
    calls: [],
  };
}
