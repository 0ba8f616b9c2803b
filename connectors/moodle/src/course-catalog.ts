import { ConnectorError } from '@mathnet/lms-sdk';
import { EntityBatch } from './entity-batch';
import { classFromMoodle, courseFromMoodle, orgFromSite, siteCourseId } from './map-records';
import {
  issuesText,
  type MoodleCourse,
  moodleCourseSchema,
  type SiteInfo,
  siteInfoSchema,
} from './moodle-types';
import type { SessionContext } from './session-context';

/** The site's courses as Moodle gave them: the usable ones, and why the others were left out. */
export interface MoodleCourses {
  courses: MoodleCourse[];
  rejected: { sourcedId?: string; reason: string }[];
}

/** Calls core_webservice_get_site_info and checks its shape. */
export async function loadSiteInfo(ctx: SessionContext, signal: AbortSignal): Promise<SiteInfo> {
  const answer = await ctx.client.call('core_webservice_get_site_info', {}, signal);
  const parsed = siteInfoSchema.safeParse(answer);
  if (!parsed.success) {
    throw new ConnectorError(
      'invalid_data',
      `Moodle core_webservice_get_site_info answered an unexpected shape: ${issuesText(parsed.error)}`,
    );
  }
  return parsed.data;
}

/**
 * The courses of the site (core_course_get_courses) or of the configured
 * category (core_course_get_courses_by_field, field=category), without the
 * site course (id 1, the front page).
 */
export async function loadCourses(ctx: SessionContext, signal: AbortSignal): Promise<MoodleCourses> {
  const { categoryId } = ctx.settings;
  let list: unknown;
  if (categoryId === undefined) {
    list = await ctx.client.call('core_course_get_courses', {}, signal);
  } else {
    const answer = await ctx.client.call<{ courses?: unknown }>(
      'core_course_get_courses_by_field',
      { field: 'category', value: categoryId },
      signal,
    );
    list = answer?.courses;
  }
  if (!Array.isArray(list))
    throw new ConnectorError(
      'invalid_data',
      'Moodle answered the course list with something that is not a list',
    );
  const result: MoodleCourses = { courses: [], rejected: [] };
  for (const raw of list) {
    const parsed = moodleCourseSchema.safeParse(raw);
    if (!parsed.success) {
      const id = (raw as { id?: unknown } | null)?.id;
      result.rejected.push({
        sourcedId: typeof id === 'number' ? String(id) : undefined,
        reason: issuesText(parsed.error),
      });
      continue;
    }
    const course = parsed.data;
    if (course.id === siteCourseId || course.format === 'site') continue;
    if (categoryId !== undefined && course.categoryid !== undefined && course.categoryid !== categoryId)
      continue;
    result.courses.push(course);
  }
  return result;
}

/** The org, courses and classes of one pull, validated. */
export interface Catalog {
  site: SiteInfo;
  orgs: EntityBatch<'orgs'>;
  courses: EntityBatch<'courses'>;
  classes: EntityBatch<'classes'>;
  /** The Moodle courses whose course and class records are valid (the ones to read enrolments of). */
  usable: MoodleCourse[];
}

/** Reads the site and its courses and maps them to the org, `courses` and `classes` records. */
export async function loadCatalog(ctx: SessionContext, signal: AbortSignal): Promise<Catalog> {
  const site = await loadSiteInfo(ctx, signal);
  const moodle = await loadCourses(ctx, signal);
  const catalog: Catalog = {
    site,
    orgs: new EntityBatch('orgs'),
    courses: new EntityBatch('courses'),
    classes: new EntityBatch('classes'),
    usable: [],
  };
  catalog.orgs.add(orgFromSite(site, ctx.orgSourcedId), ctx.orgSourcedId);
  for (const rejected of moodle.rejected) {
    catalog.courses.reject(rejected.sourcedId, rejected.reason);
    catalog.classes.reject(rejected.sourcedId, rejected.reason);
  }
  for (const course of moodle.courses) {
    const id = String(course.id);
    if (!catalog.courses.add(courseFromMoodle(course, ctx.orgSourcedId), id)) {
      // A class needs its course record: when the course is rejected, so is the class.
      catalog.classes.reject(id, 'its course record was rejected');
      continue;
    }
    if (catalog.classes.add(classFromMoodle(course, ctx.orgSourcedId), id)) catalog.usable.push(course);
  }
  return catalog;
}
