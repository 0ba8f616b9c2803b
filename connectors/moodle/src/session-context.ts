import type { ConnectorLogger } from '@mathnet/lms-sdk';
import type { MoodleClient } from './moodle-client';
import type { MoodleSettings } from './settings';

/** What every part of a Moodle session shares. */
export interface SessionContext {
  client: MoodleClient;
  settings: MoodleSettings;
  logger: ConnectorLogger;
  /** The sourcedId of the school org the site stands for. */
  orgSourcedId: string;
}

/** The web service functions a token must be allowed for the declared capabilities. */
export function requiredFunctions(settings: MoodleSettings): string[] {
  return [
    'core_webservice_get_site_info',
    settings.categoryId === undefined ? 'core_course_get_courses' : 'core_course_get_courses_by_field',
    'core_enrol_get_enrolled_users',
    'enrol_manual_enrol_users',
    'enrol_manual_unenrol_users',
    'gradereport_user_get_grade_items',
  ];
}

/**
 * Functions used when allowed: course completion (pulled into results) and
 * removing one role of a user who keeps another one in the same course.
 */
export const optionalFunctions = ['core_completion_get_course_completion_status', 'core_role_unassign_roles'];
