import { assignableRoleIds, type MoodleDoubleState, standardRoles } from './double-state';
import { multiple, optional, single, value, withDefault } from './moodle-params';
import { invalidParameter, MoodleWsError, missingRecord, moodleException } from './moodle-ws-error';
import { courseOrThrow, fullnameOf, type WsFunction } from './ws-function';

/** core_enrol_get_enrolled_users (enrol/externallib.php): users ordered by id, paged by limitfrom/limitnumber. */
const getEnrolledUsers: WsFunction = {
  params: {
    courseid: value('int'),
    options: withDefault(multiple(single({ name: value('alphanumext'), value: value('raw') })), []),
  },
  run(args, { state }) {
    const courseId = args.courseid as number;
    let limitFrom = 0;
    let limitNumber = 0;
    for (const option of args.options as { name: string; value: string }[]) {
      if (option.name === 'limitfrom') limitFrom = Number.parseInt(option.value, 10) || 0;
      if (option.name === 'limitnumber') limitNumber = Number.parseInt(option.value, 10) || 0;
      if (option.name === 'sortby' && !['id', 'firstname', 'lastname', 'siteorder'].includes(option.value)) {
        throw invalidParameter(
          `Invalid value for sortby parameter (value: ${option.value}),allowed values are: id,firstname,lastname,siteorder`,
        );
      }
    }
    const course = courseOrThrow(state, courseId);
    // Moodle reads 0 as "no limit"; the double's server-side cap applies to every request.
    const cap = state.maxLimitNumber;
    const count = limitNumber > 0 ? Math.min(limitNumber, cap) : cap;
    const enrolled = state.enrolments
      .filter((e) => e.courseid === courseId)
      .sort((a, b) => a.userid - b.userid);
    return enrolled.slice(Math.max(0, limitFrom), Math.max(0, limitFrom) + count).flatMap((e) => {
      const user = state.users.find((u) => u.id === e.userid);
      if (!user) return [];
      return [
        {
          id: user.id,
          username: user.username,
          firstname: user.firstname,
          lastname: user.lastname,
          fullname: fullnameOf(user),
          email: user.email ?? '',
          department: '',
          ...(user.idnumber ? { idnumber: user.idnumber } : {}),
          firstaccess: 0,
          lastaccess: 0,
          lastcourseaccess: 0,
          description: '',
          descriptionformat: 1,
          profileimageurlsmall: `${state.site.siteurl}/theme/image.php/boost/core/1/u/f2`,
          profileimageurl: `${state.site.siteurl}/theme/image.php/boost/core/1/u/f1`,
          roles: [...e.roleids]
            .sort((a, b) => a - b)
            .map((roleid) => ({
              roleid,
              name: '',
              shortname: standardRoles[roleid] ?? `role${roleid}`,
              sortorder: 0,
            })),
          enrolledcourses: [{ id: course.id, fullname: course.fullname, shortname: course.shortname }],
        },
      ];
    });
  },
};

/** Runs changes on a copy of the enrolments and keeps them only when all succeed (Moodle's delegated transaction). */
function inTransaction(
  state: MoodleDoubleState,
  change: (enrolments: MoodleDoubleState['enrolments']) => void,
): null {
  const copy = state.enrolments.map((e) => ({ ...e, roleids: [...e.roleids] }));
  change(copy);
  state.enrolments = copy;
  return null;
}

/** enrol_manual_enrol_users: returns null; enrolling an enrolled user only adds the role (idempotent). */
const enrolUsers: WsFunction = {
  params: {
    enrolments: multiple(
      single({
        roleid: value('int'),
        userid: value('int'),
        courseid: value('int'),
        timestart: optional(value('int')),
        timeend: optional(value('int')),
        suspend: optional(value('int')),
      }),
    ),
  },
  run(args, { state }) {
    const items = args.enrolments as { roleid: number; userid: number; courseid: number }[];
    return inTransaction(state, (enrolments) => {
      for (const item of items) {
        // context_course::instance(IGNORE_MISSING) gives false, and validate_context(false) refuses it.
        if (!state.courses.some((c) => c.id === item.courseid))
          throw invalidParameter('Context does not exist');
        if (!assignableRoleIds.has(item.roleid)) {
          throw moodleException(
            'wsusercannotassign',
            `You don't have the permission to assign this role (${item.roleid}) to this user (${item.userid}) in this course(${item.courseid}).`,
          );
        }
        if (!state.users.some((u) => u.id === item.userid)) {
          throw new MoodleWsError(
            'coding_exception',
            'codingerror',
            'Coding error detected, it must be fixed by a programmer: User ID does not exist or is deleted!',
          );
        }
        const existing = enrolments.find((e) => e.courseid === item.courseid && e.userid === item.userid);
        if (!existing)
          enrolments.push({ courseid: item.courseid, userid: item.userid, roleids: [item.roleid] });
        else if (!existing.roleids.includes(item.roleid)) existing.roleids.push(item.roleid);
      }
    });
  },
};

/** enrol_manual_unenrol_users: removes the user's enrolment (and so their roles in the course); returns null. */
const unenrolUsers: WsFunction = {
  params: {
    enrolments: multiple(
      single({ userid: value('int'), courseid: value('int'), roleid: optional(value('int')) }),
    ),
  },
  run(args, { state }) {
    const items = args.enrolments as { userid: number; courseid: number }[];
    return inTransaction(state, (enrolments) => {
      for (const item of items) {
        // context_course::instance($courseid) with MUST_EXIST.
        if (!state.courses.some((c) => c.id === item.courseid)) throw missingRecord('course');
        if (!state.users.some((u) => u.id === item.userid))
          throw invalidParameter(`User id not exist: ${item.userid}`);
        const at = enrolments.findIndex((e) => e.courseid === item.courseid && e.userid === item.userid);
        if (at >= 0) enrolments.splice(at, 1);
      }
    });
  },
};

/** core_role_unassign_roles: removes one role; the user stays enrolled. Only course contexts here. */
const unassignRoles: WsFunction = {
  params: {
    unassignments: multiple(
      single({
        roleid: value('int'),
        userid: value('int'),
        contextid: optional(value('int')),
        contextlevel: optional(value('alpha')),
        instanceid: optional(value('int')),
      }),
    ),
  },
  run(args, { state }) {
    const items = args.unassignments as {
      roleid: number;
      userid: number;
      contextlevel?: string;
      instanceid?: number;
    }[];
    return inTransaction(state, (enrolments) => {
      for (const item of items) {
        if (item.contextlevel !== 'course' || item.instanceid === undefined) {
          throw invalidParameter(
            'The double only knows course contexts (contextlevel=course, instanceid=<course id>)',
          );
        }
        courseOrThrow(state, item.instanceid);
        if (!assignableRoleIds.has(item.roleid)) {
          throw moodleException(
            'wscannotunassign',
            `You don't have the permission to unassign this role (${item.roleid}).`,
          );
        }
        const enrolment = enrolments.find((e) => e.courseid === item.instanceid && e.userid === item.userid);
        if (enrolment) enrolment.roleids = enrolment.roleids.filter((r) => r !== item.roleid);
      }
    });
  },
};

export const enrolFunctions: Record<string, WsFunction> = {
  core_enrol_get_enrolled_users: getEnrolledUsers,
  enrol_manual_enrol_users: enrolUsers,
  enrol_manual_unenrol_users: unenrolUsers,
  core_role_unassign_roles: unassignRoles,
};
