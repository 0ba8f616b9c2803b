import type { Actor } from '@mathnet/auth';
import { expect } from 'chai';
import {
  academicYearSpan,
  isAcademicYear,
  mayApproveRoute,
  mayCompleteRouteItem,
  mayEditRoute,
  mayReadRoute,
  type RouteItemFacts,
  routeProgress,
  routeStep,
  routeTotals,
  validateRoute,
} from './route-rules';

const item = (over: Partial<RouteItemFacts>): RouteItemFacts => ({
  title: 'Курс',
  subject: 'maths',
  level: 'basic',
  hours: 10,
  completedHours: 0,
  ...over,
});
const policy = { minHours: 20, maxHours: 100, minAdvancedSubjects: 2 };

describe('route rules', () => {
  it('accepts academic years YYYY/YYYY+1 only', () => {
    expect(isAcademicYear('2026/2027')).to.equal(true);
    expect(isAcademicYear('2026/2028')).to.equal(false);
    expect(isAcademicYear('2026-2027')).to.equal(false);
    expect(isAcademicYear('26/27')).to.equal(false);
    expect(academicYearSpan('2026/2027')).to.deep.equal({ start: '2026-09-01', end: '2027-08-31' });
  });

  it('sums hours per subject and level without float drift', () => {
    const totals = routeTotals([
      item({ subject: 'physics', level: 'advanced', hours: 0.1 }),
      item({ subject: 'physics', hours: 0.2 }),
      item({ subject: 'maths', level: 'advanced', hours: 34 }),
    ]);
    expect(totals).to.deep.equal({
      totalHours: 34.3,
      bySubject: [
        { subject: 'maths', hours: 34, basic: 0, advanced: 34 },
        { subject: 'physics', hours: 0.3, basic: 0.2, advanced: 0.1 },
      ],
      byLevel: { basic: 0.2, advanced: 34.1 },
    });
  });

  it('measures progress as completed over planned hours', () => {
    expect(routeProgress([item({ hours: 30, completedHours: 30 }), item({ hours: 10 })])).to.deep.equal({
      plannedHours: 40,
      completedHours: 30,
      percent: 75,
    });
    expect(routeProgress([])).to.deep.equal({ plannedHours: 0, completedHours: 0, percent: 0 });
  });

  it('lists every policy problem of a route', () => {
    expect(validateRoute([], policy).map((p) => p.code)).to.deep.equal([
      'no_items',
      'too_few_hours',
      'too_few_advanced_subjects',
    ]);
    const tooMuch = [item({ hours: 90, level: 'advanced' }), item({ subject: 'physics', hours: 20 })];
    expect(validateRoute(tooMuch, policy).map((p) => p.code)).to.deep.equal([
      'too_many_hours',
      'too_few_advanced_subjects',
    ]);
  });

  it('passes a route within the policy', () => {
    const good = [
      item({ level: 'advanced', hours: 30 }),
      item({ subject: 'informatics', level: 'advanced', hours: 30 }),
    ];
    expect(validateRoute(good, policy)).to.deep.equal([]);
  });

  it('flags withdrawn or rejected enrollments and courses outside the year, not failed ones', () => {
    const items = [
      item({ title: 'A', hours: 50, level: 'advanced', enrollmentStatus: 'withdrawn' }),
      item({
        title: 'B',
        subject: 'physics',
        level: 'advanced',
        enrollmentStatus: 'failed',
        termStart: '2027-09-01',
        termEnd: '2027-12-20',
      }),
      item({ title: 'C', enrollmentStatus: 'enrolled', termStart: '2026-09-01', termEnd: '2027-05-31' }),
    ];
    const problems = validateRoute(items, policy, '2026/2027');
    expect(problems.map((p) => p.code)).to.deep.equal(['enrollment_inactive', 'outside_year']);
    expect(problems[0]!.message).to.contain('«A»');
    expect(problems[1]!.message).to.contain('«B»');
  });

  it('moves through draft → submitted → approved; a change after approval opens a new version', () => {
    expect(routeStep('submit', 'draft')).to.deep.equal({ status: 'submitted', newVersion: false });
    expect(routeStep('approve', 'submitted')).to.deep.equal({ status: 'approved', newVersion: false });
    expect(routeStep('return', 'submitted')).to.deep.equal({ status: 'draft', newVersion: false });
    expect(routeStep('change', 'draft')).to.deep.equal({ status: 'draft', newVersion: false });
    expect(routeStep('change', 'submitted')).to.deep.equal({ status: 'draft', newVersion: false });
    expect(routeStep('change', 'approved')).to.deep.equal({ status: 'draft', newVersion: true });
    expect(routeStep('complete_item', 'approved')).to.deep.equal({ status: 'approved', newVersion: false });
  });

  it('refuses illegal steps with a 409', () => {
    for (const [action, status] of [
      ['submit', 'submitted'],
      ['submit', 'approved'],
      ['approve', 'draft'],
      ['approve', 'approved'],
      ['return', 'draft'],
      ['complete_item', 'draft'],
    ] as const) {
      expect(() => routeStep(action, status), `${action} from ${status}`)
        .to.throw()
        .with.property('status', 409);
    }
  });

  describe('access', () => {
    const school = '00000000-0000-7000-8000-000000000001';
    const other = '00000000-0000-7000-8000-000000000002';
    const student = '00000000-0000-7000-8000-0000000000a1';
    const mentor = '00000000-0000-7000-8000-0000000000b1';
    const route = { studentId: student, homeSchoolId: school, mentorId: mentor };
    const person = (subject: string, roles: Actor['roles']): Actor => ({ subject, kind: 'person', roles });

    it('lets the student, a parent, the coordinator and the district edit; only the coordinator and district approve', () => {
      const self = person(student, [{ role: 'student', organisationId: school }]);
      const parent = person('p', [{ role: 'parent', organisationId: school, studentId: student }]);
      const coordinator = person('c', [{ role: 'school_admin', organisationId: school }]);
      const admin = person('a', [{ role: 'network_admin', organisationId: other }]);
      for (const actor of [self, parent, coordinator, admin])
        expect(mayEditRoute(actor, route)).to.equal(true);
      expect([self, parent, coordinator, admin].map((a) => mayApproveRoute(a, route))).to.deep.equal([
        false,
        false,
        true,
        true,
      ]);
    });

    it('keeps other schools, other parents and other students out', () => {
      const strangers = [
        person('s2', [{ role: 'student', organisationId: school }]),
        person('t2', [{ role: 'teacher', organisationId: other }]),
        person('c2', [{ role: 'school_admin', organisationId: other }]),
        person('p2', [{ role: 'parent', organisationId: school, studentId: 'someone-else' }]),
      ];
      for (const actor of strangers) {
        expect(mayReadRoute(actor, route), actor.subject).to.equal(false);
        expect(mayEditRoute(actor, route), actor.subject).to.equal(false);
      }
    });

    it('lets home-school teachers and the mentor read, and the mentor mark activities done', () => {
      const teacher = person('t', [{ role: 'teacher', organisationId: school }]);
      const theMentor = person(mentor, [{ role: 'teacher', organisationId: other }]);
      expect(mayReadRoute(teacher, route)).to.equal(true);
      expect(mayEditRoute(teacher, route)).to.equal(false);
      expect(mayReadRoute(theMentor, route)).to.equal(true);
      expect(mayCompleteRouteItem(theMentor, route)).to.equal(true);
      expect(mayCompleteRouteItem(teacher, route)).to.equal(false);
    });
  });
});
