import { z } from '@mathnet/lms-sdk';

/*
 * The parts of Moodle's web service answers the connector reads, following the
 * functions' `*_returns()` descriptions in moodle/moodle. Loose objects: Moodle
 * adds fields between releases, and optional fields (VALUE_OPTIONAL) depend on
 * the token user's capabilities.
 */

/** core_webservice_get_site_info. */
export const siteInfoSchema = z.looseObject({
  sitename: z.string(),
  username: z.string(),
  userid: z.number().optional(),
  siteurl: z.string().optional(),
  release: z.string().optional(),
  version: z.string().optional(),
  functions: z.array(z.looseObject({ name: z.string(), version: z.string().optional() })).default([]),
});
export type SiteInfo = z.infer<typeof siteInfoSchema>;

/** One course of core_course_get_courses / core_course_get_courses_by_field. */
export const moodleCourseSchema = z.looseObject({
  id: z.number().int(),
  shortname: z.string(),
  fullname: z.string(),
  categoryid: z.number().optional(),
  idnumber: z.string().optional(),
  format: z.string().optional(),
  visible: z.number().optional(),
  startdate: z.number().optional(),
  enddate: z.number().optional(),
  timemodified: z.number().optional(),
});
export type MoodleCourse = z.infer<typeof moodleCourseSchema>;

/** A role in core_enrol_get_enrolled_users (`name` is empty for standard roles: Moodle translates them by shortname). */
export const moodleRoleSchema = z.looseObject({
  roleid: z.number().int(),
  name: z.string().optional(),
  shortname: z.string().optional(),
});
export type MoodleRole = z.infer<typeof moodleRoleSchema>;

/** One user of core_enrol_get_enrolled_users. */
export const moodleEnrolledUserSchema = z.looseObject({
  id: z.number().int(),
  username: z.string().optional(),
  firstname: z.string().optional(),
  lastname: z.string().optional(),
  fullname: z.string().optional(),
  email: z.string().optional(),
  idnumber: z.string().optional(),
  roles: z.array(moodleRoleSchema).default([]),
});
export type MoodleEnrolledUser = z.infer<typeof moodleEnrolledUserSchema>;

/** One grade item of one user in gradereport_user_get_grade_items. */
export const moodleGradeItemSchema = z.looseObject({
  id: z.number().int(),
  itemname: z.string().nullable().optional(),
  itemtype: z.string(),
  itemmodule: z.string().nullable().optional(),
  idnumber: z.string().nullable().optional(),
  graderaw: z.number().nullable().optional(),
  gradedategraded: z.number().nullable().optional(),
  gradedatesubmitted: z.number().nullable().optional(),
  gradeishidden: z.boolean().optional(),
  grademin: z.number().optional(),
  grademax: z.number().optional(),
  feedback: z.string().nullable().optional(),
});
export type MoodleGradeItem = z.infer<typeof moodleGradeItemSchema>;

/** gradereport_user_get_grade_items. */
export const gradeReportSchema = z.looseObject({
  usergrades: z.array(
    z.looseObject({
      courseid: z.number().int(),
      userid: z.number().int(),
      userfullname: z.string().optional(),
      gradeitems: z.array(z.unknown()).default([]),
    }),
  ),
  warnings: z.array(z.unknown()).default([]),
});

/** core_completion_get_course_completion_status. */
export const completionStatusSchema = z.looseObject({
  completionstatus: z.looseObject({ completed: z.boolean() }),
});

/** A Unix timestamp (seconds) as ISO 8601, or undefined for Moodle's 0/null ("never"). */
export function isoFromUnix(seconds: number | null | undefined): string | undefined {
  if (!seconds || seconds <= 0) return undefined;
  return new Date(seconds * 1000).toISOString();
}

/** A zod error as one line for a rejected record's reason. */
export function issuesText(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(record)'}: ${issue.message}`).join('; ');
}
