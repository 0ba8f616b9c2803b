import { type Actor, hasRole, isNetworkAdmin, isParentOf, isSelf } from '@mathnet/auth';
import { ConflictError } from '@mathnet/kit';
import type { RoutePolicy } from '../config';

/** Where a route is in its workflow. */
export const routeStatuses = ['draft', 'submitted', 'approved'] as const;
export type RouteStatus = (typeof routeStatuses)[number];

/** Activities a route may hold besides enrollments in network offerings. */
export const activityKinds = ['research_project', 'conference', 'study_visit', 'other'] as const;
export type ActivityKind = (typeof activityKinds)[number];
export type RouteItemKind = 'enrollment' | ActivityKind;
export type RouteLevel = 'basic' | 'advanced';

/** Enrollment statuses that may stand in a route (the seat is granted, sought by the provider, or done). */
export const routableEnrollmentStatuses = ['approved', 'waitlisted', 'enrolled', 'completed'] as const;

/** What the rules need to know about one item of a route. */
export interface RouteItemFacts {
  title: string;
  subject: string;
  level: RouteLevel;
  hours: number;
  completedHours: number;
  /** For enrollment items: the enrollment's current status. */
  enrollmentStatus?: string | null;
  /** For enrollment items: the offering's term, when it has one. */
  termStart?: string | null;
  termEnd?: string | null;
}

/** One reason a route may not be submitted or approved. */
export interface RouteProblem {
  code:
    | 'no_items'
    | 'too_few_hours'
    | 'too_many_hours'
    | 'too_few_advanced_subjects'
    | 'enrollment_inactive'
    | 'outside_year';
  message: string;
}

/** Hours of a route per subject (split by level), per level, and in all. */
export interface RouteTotals {
  totalHours: number;
  bySubject: { subject: string; hours: number; basic: number; advanced: number }[];
  byLevel: { basic: number; advanced: number };
}

/** Planned against completed hours. */
export interface RouteProgress {
  plannedHours: number;
  completedHours: number;
  /** Completed share of planned hours, 0-100, one decimal. */
  percent: number;
}

const yearPattern = /^(\d{4})\/(\d{4})$/;

/** True for an academic year written `YYYY/YYYY+1`, e.g. `2026/2027`. */
export function isAcademicYear(value: string): boolean {
  const match = yearPattern.exec(value);
  return !!match && Number(match[2]) === Number(match[1]) + 1 && Number(match[1]) >= 2000;
}

/** The dates an academic year spans: 1 September to 31 August. */
export function academicYearSpan(year: string): { start: string; end: string } {
  const [first, second] = year.split('/');
  return { start: `${first}-09-01`, end: `${second}-08-31` };
}

// Hours are kept to two decimals so sums of numerics from the database do not drift (0.1 + 0.2).
const round = (n: number) => Math.round(n * 100) / 100;

export function routeTotals(items: Pick<RouteItemFacts, 'subject' | 'level' | 'hours'>[]): RouteTotals {
  const bySubject = new Map<string, { subject: string; hours: number; basic: number; advanced: number }>();
  const byLevel = { basic: 0, advanced: 0 };
  let totalHours = 0;
  for (const item of items) {
    const entry = bySubject.get(item.subject) ?? { subject: item.subject, hours: 0, basic: 0, advanced: 0 };
    entry.hours = round(entry.hours + item.hours);
    entry[item.level] = round(entry[item.level] + item.hours);
    bySubject.set(item.subject, entry);
    byLevel[item.level] = round(byLevel[item.level] + item.hours);
    totalHours = round(totalHours + item.hours);
  }
  return {
    totalHours,
    bySubject: [...bySubject.values()].sort((a, b) => a.subject.localeCompare(b.subject)),
    byLevel,
  };
}

export function routeProgress(items: Pick<RouteItemFacts, 'hours' | 'completedHours'>[]): RouteProgress {
  const plannedHours = round(items.reduce((sum, i) => sum + i.hours, 0));
  const completedHours = round(items.reduce((sum, i) => sum + i.completedHours, 0));
  const percent = plannedHours > 0 ? Math.round((completedHours / plannedHours) * 1000) / 10 : 0;
  return { plannedHours, completedHours, percent };
}

/**
 * Everything that keeps a route from being submitted or approved under `policy`;
 * an empty list means the route is valid. `academicYear` lets items whose
 * offering runs wholly outside that year be flagged.
 */
export function validateRoute(
  items: RouteItemFacts[],
  policy: RoutePolicy,
  academicYear?: string,
): RouteProblem[] {
  const problems: RouteProblem[] = [];
  if (items.length === 0) problems.push({ code: 'no_items', message: 'The route has no items' });
  const { totalHours } = routeTotals(items);
  if (totalHours < policy.minHours) {
    problems.push({
      code: 'too_few_hours',
      message: `The route plans ${totalHours} hours; at least ${policy.minHours} are required`,
    });
  }
  if (totalHours > policy.maxHours) {
    problems.push({
      code: 'too_many_hours',
      message: `The route plans ${totalHours} hours; at most ${policy.maxHours} are allowed`,
    });
  }
  const advanced = new Set(items.filter((i) => i.level === 'advanced').map((i) => i.subject));
  if (advanced.size < policy.minAdvancedSubjects) {
    problems.push({
      code: 'too_few_advanced_subjects',
      message: `The route studies ${advanced.size} subject(s) at the advanced level; at least ${policy.minAdvancedSubjects} are required`,
    });
  }
  for (const item of items) {
    // A failed course stays in the record; a withdrawn or rejected one will not happen at all.
    if (item.enrollmentStatus === 'withdrawn' || item.enrollmentStatus === 'rejected') {
      problems.push({
        code: 'enrollment_inactive',
        message: `«${item.title}»: the enrollment is ${item.enrollmentStatus}`,
      });
    }
  }
  if (academicYear && isAcademicYear(academicYear)) {
    const span = academicYearSpan(academicYear);
    for (const item of items) {
      const outside =
        (item.termEnd && item.termEnd < span.start) || (item.termStart && item.termStart > span.end);
      if (outside) {
        problems.push({
          code: 'outside_year',
          message: `«${item.title}» runs ${item.termStart ?? '…'} to ${item.termEnd ?? '…'}, outside ${academicYear}`,
        });
      }
    }
  }
  return problems;
}

/** Workflow steps of a route. `change` is any edit of goals, mentor, project or items. */
export type RouteAction = 'submit' | 'approve' | 'return' | 'change' | 'complete_item';

/** What a step does to the status and the route version, or a 409 saying why it may not happen now. */
export function routeStep(
  action: RouteAction,
  status: RouteStatus,
): { status: RouteStatus; newVersion: boolean } {
  switch (action) {
    case 'submit':
      if (status !== 'draft')
        throw new ConflictError(`Only a draft route is submitted; this one is ${status}`, {
          currentStatus: status,
        });
      return { status: 'submitted', newVersion: false };
    case 'approve':
      if (status !== 'submitted')
        throw new ConflictError(`Only a submitted route is approved; this one is ${status}`, {
          currentStatus: status,
        });
      return { status: 'approved', newVersion: false };
    case 'return':
      if (status !== 'submitted')
        throw new ConflictError(`Only a submitted route is returned for changes; this one is ${status}`, {
          currentStatus: status,
        });
      return { status: 'draft', newVersion: false };
    case 'change':
      // An approved route is a record: changing it opens the next version, to be approved again.
      // A submitted one goes back to draft so no one approves what they did not see.
      return { status: 'draft', newVersion: status === 'approved' };
    case 'complete_item':
      if (status !== 'approved')
        throw new ConflictError(`Activities are marked done on an approved route; this one is ${status}`, {
          currentStatus: status,
        });
      return { status, newVersion: false };
  }
}

/** The parties of a route, as the access rules need them. */
export interface RouteParties {
  studentId: string;
  homeSchoolId: string;
  mentorId: string | null;
}

const coordinates = (actor: Actor, p: Pick<RouteParties, 'homeSchoolId'>) =>
  hasRole(actor, 'school_admin', p.homeSchoolId);

/** The student, a parent, the home-school coordinator or the district draw up, change and submit a route. */
export function mayEditRoute(actor: Actor, p: Pick<RouteParties, 'studentId' | 'homeSchoolId'>): boolean {
  return (
    isNetworkAdmin(actor) ||
    isSelf(actor, p.studentId) ||
    isParentOf(actor, p.studentId) ||
    coordinates(actor, p)
  );
}

/** Only the home-school coordinator or the district approves (or returns) a route. */
export function mayApproveRoute(actor: Actor, p: Pick<RouteParties, 'homeSchoolId'>): boolean {
  return isNetworkAdmin(actor) || coordinates(actor, p);
}

/** The coordinator or the mentor records that an activity was done. */
export function mayCompleteRouteItem(actor: Actor, p: RouteParties): boolean {
  return mayApproveRoute(actor, p) || (p.mentorId !== null && isSelf(actor, p.mentorId));
}

/** Who sees a route: its editors, the home school's teachers, and the mentor. */
export function mayReadRoute(actor: Actor, p: RouteParties): boolean {
  return (
    mayEditRoute(actor, p) ||
    hasRole(actor, 'teacher', p.homeSchoolId) ||
    (p.mentorId !== null && isSelf(actor, p.mentorId))
  );
}
