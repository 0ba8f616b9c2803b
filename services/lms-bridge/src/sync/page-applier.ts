import type { LmsClassFact, LmsEnrollmentFact, LmsGradeFact, LmsPersonFact } from '@mathnet/contracts';
import type {
  AcademicSession,
  Class,
  Course,
  Enrollment,
  LineItem,
  PulledPage,
  Result,
  User,
} from '@mathnet/lms-sdk';
import { v7 as uuidv7 } from 'uuid';
import { mappingsFor, type Runner, takenNetworkIds } from '../store/mapping-store';
import { buildClass, buildEnrollment, buildPerson, emailHashOf } from './fact-builder';
import { matchPeople } from './person-matcher';
import {
  type ApplyOptions,
  batches,
  type Fact,
  keepReference,
  type PageOutcome,
  type RunScope,
  reconcile,
  refsOf,
  zeroCounts,
} from './reconcile';

export type { ApplyOptions, PageOutcome, RunScope, SeenIds } from './reconcile';
export { zeroCounts } from './reconcile';

/**
 * Works out what one pulled page changes: reads the mappings it needs (through
 * `db`, outside any transaction: it writes nothing) and returns the counts, the
 * errors, the mappings to write and the facts to emit, which the caller writes
 * in one transaction with the run's checkpoint (a page that changes nothing
 * needs no transaction at all).
 */
export async function applyPage(
  db: Runner,
  scope: RunScope,
  page: PulledPage,
  options: ApplyOptions = {},
): Promise<PageOutcome> {
  const outcome: PageOutcome = {
    counts: zeroCounts(),
    errors: page.rejected.map((r) => ({ ...r })),
    writes: [],
    events: [],
  };
  const { counts, errors } = outcome;
  const emit = (event: PageOutcome['events'][number]) => outcome.events.push(event);
  counts.failed += page.rejected.length;
  const header = {
    runId: scope.runId,
    connectionId: scope.connectionId,
    organisationId: scope.organisationId,
  };
  const reject = (entity: string, sourcedId: string, reason: string) => {
    counts.failed += 1;
    errors.push({ entity, sourcedId, reason });
  };

  switch (page.entity) {
    case 'orgs':
      break;
    case 'academicSessions':
      await keepReference(
        db,
        scope,
        'session',
        page.records as AcademicSession[],
        (s: AcademicSession) => ({
          startDate: s.startDate,
          endDate: s.endDate,
        }),
        outcome,
        options,
      );
      break;
    case 'courses':
      await keepReference(
        db,
        scope,
        'course',
        page.records as Course[],
        (c: Course) => ({
          title: c.title,
          subjects: c.subjects,
          grades: c.grades,
        }),
        outcome,
        options,
      );
      break;
    case 'lineItems':
      await keepReference(
        db,
        scope,
        'lineItem',
        page.records as LineItem[],
        (l: LineItem) => ({
          classSourcedId: l.classSourcedId,
          max: l.resultValueMax ?? null,
        }),
        outcome,
        options,
      );
      break;
    case 'classes': {
      const classes = page.records as Class[];
      const existing = await mappingsFor(
        db,
        scope.connectionId,
        'class',
        classes.map((c) => c.sourcedId),
        false,
      );
      const courses = await mappingsFor(
        db,
        scope.connectionId,
        'course',
        classes.map((c) => c.courseSourcedId),
      );
      const sessions = await mappingsFor(
        db,
        scope.connectionId,
        'session',
        classes.flatMap((c) => c.termSourcedIds),
      );
      const items = classes.map((c) => {
        const course = courses.get(c.courseSourcedId)?.detail as
          | { title?: string; subjects?: string[]; grades?: string[] }
          | undefined;
        const terms = c.termSourcedIds.flatMap((t) => {
          const d = sessions.get(t)?.detail as { startDate: string; endDate: string } | undefined;
          return d ? [d] : [];
        });
        return {
          sourceId: c.sourcedId,
          fact: buildClass(c, existing.get(c.sourcedId)?.networkId ?? uuidv7(), course, terms),
        };
      });
      const changed = reconcile<LmsClassFact>('class', items, existing, outcome, options);
      for (const chunk of batches(changed, 1000))
        emit({ type: 'mathnet.lms.classes.synced', data: { ...header, classes: chunk } });
      break;
    }
    case 'users': {
      const users = page.records as User[];
      const existing = await mappingsFor(
        db,
        scope.connectionId,
        'user',
        users.map((u) => u.sourcedId),
      );
      const agents = await refsOf(
        db,
        scope,
        options,
        'user',
        users.flatMap((u) => u.agentSourcedIds),
      );
      const fresh = options.replay
        ? []
        : users.filter((u) => !existing.has(u.sourcedId) && u.status === 'active');
      const candidates = fresh.map((u) => ({
        sourceId: u.sourcedId,
        givenName: u.givenName,
        familyName: u.familyName,
        birthDate: u.birthDate ?? null,
        emailHash: emailHashOf(u.email),
      }));
      // People this run matched already (their mappings may still be on their way to the table).
      const matched = await matchPeople(db, scope.organisationId, candidates, new Set(options.claimed));
      const taken = await takenNetworkIds(db, scope.connectionId, 'user', [...matched.values()]);
      for (const id of matched.values()) if (!taken.has(id)) options.claimed?.add(id);
      const built = new Map<string, string>();
      const items: { sourceId: string; fact: LmsPersonFact }[] = [];
      for (const u of users) {
        const matchedId = matched.get(u.sourcedId);
        const id =
          existing.get(u.sourcedId)?.networkId ?? (matchedId && !taken.has(matchedId) ? matchedId : uuidv7());
        const previous = existing.get(u.sourcedId)?.detail as LmsPersonFact | undefined;
        // A delta row without roles changes the person, not their roles.
        const person =
          u.roles.length === 0 && previous
            ? {
                fact: {
                  ...previous,
                  givenName: u.givenName,
                  familyName: u.familyName,
                  middleName: u.middleName ?? null,
                  birthDate: u.birthDate ?? previous.birthDate,
                  email: u.email?.trim() || null,
                  active: u.status === 'active' && u.enabledUser,
                },
              }
            : buildPerson(u, id, (agent) => agents.get(agent)?.networkId ?? built.get(agent));
        if ('rejected' in person) reject('users', u.sourcedId, person.rejected);
        else {
          items.push({ sourceId: u.sourcedId, fact: person.fact });
          built.set(u.sourcedId, person.fact.id);
        }
      }
      const changed = reconcile<LmsPersonFact>('user', items, existing, outcome, options);
      for (const chunk of batches(changed, 1000))
        emit({ type: 'mathnet.lms.people.synced', data: { ...header, people: chunk } });
      break;
    }
    case 'enrollments': {
      const enrollments = page.records as Enrollment[];
      const existing = await mappingsFor(
        db,
        scope.connectionId,
        'enrollment',
        enrollments.map((e) => e.sourcedId),
        false,
      );
      const classes = await refsOf(
        db,
        scope,
        options,
        'class',
        enrollments.map((e) => e.classSourcedId),
      );
      const users = await refsOf(
        db,
        scope,
        options,
        'user',
        enrollments.map((e) => e.userSourcedId),
      );
      const items: { sourceId: string; fact: LmsEnrollmentFact }[] = [];
      for (const e of enrollments) {
        const cls = classes.get(e.classSourcedId);
        const user = users.get(e.userSourcedId);
        const built = buildEnrollment(
          e,
          existing.get(e.sourcedId)?.networkId ?? uuidv7(),
          cls?.active ? cls.networkId : undefined,
          user?.active ? user.networkId : undefined,
        );
        if ('rejected' in built) reject('enrollments', e.sourcedId, built.rejected);
        else items.push({ sourceId: e.sourcedId, fact: built.fact });
      }
      const changed = reconcile<LmsEnrollmentFact>('enrollment', items, existing, outcome, options);
      for (const chunk of batches(changed, 5000))
        emit({ type: 'mathnet.lms.enrollments.synced', data: { ...header, enrollments: chunk } });
      break;
    }
    case 'results': {
      const results = page.records as Result[];
      const lineItems = await mappingsFor(
        db,
        scope.connectionId,
        'lineItem',
        results.map((r) => r.lineItemSourcedId),
      );
      const classIds = [...lineItems.values()].map(
        (l) => (l.detail as { classSourcedId: string }).classSourcedId,
      );
      const classes = await refsOf(db, scope, options, 'class', classIds);
      const users = await refsOf(
        db,
        scope,
        options,
        'user',
        results.map((r) => r.studentSourcedId),
      );
      const existing = await mappingsFor(
        db,
        scope.connectionId,
        'result',
        results.map((r) => r.sourcedId),
        false,
      );
      const items: { sourceId: string; fact: LmsGradeFact & Fact }[] = [];
      for (const r of results) {
        const line = lineItems.get(r.lineItemSourcedId)?.detail as
          | { classSourcedId: string; max: number | null }
          | undefined;
        const offeringId = line ? classes.get(line.classSourcedId)?.networkId : undefined;
        const personId = users.get(r.studentSourcedId)?.networkId;
        if (!offeringId || !personId) {
          reject(
            'results',
            r.sourcedId,
            !offeringId
              ? `result for an unknown line item or class ${r.lineItemSourcedId}`
              : `result of an unknown user ${r.studentSourcedId}`,
          );
          continue;
        }
        const fact = {
          id: existing.get(r.sourcedId)?.networkId ?? uuidv7(),
          active: r.status === 'active',
          offeringId,
          personId,
          score: r.score ?? null,
          maxScore: line?.max ?? null,
          completed: r.completed ?? r.scoreStatus === 'fully graded',
        };
        items.push({ sourceId: r.sourcedId, fact });
      }
      const changed = reconcile('result', items, existing, outcome, options);
      const grades: LmsGradeFact[] = changed
        .filter((f) => f.active)
        .map(({ id: _id, active: _active, ...grade }) => grade);
      for (const chunk of batches(grades, 5000))
        emit({ type: 'mathnet.lms.grades.synced', data: { ...header, grades: chunk } });
      break;
    }
  }
  return outcome;
}
