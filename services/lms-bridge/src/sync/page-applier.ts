import type { LmsClassFact, LmsEnrollmentFact, LmsGradeFact, LmsPersonFact } from '@mathnet/contracts';
import type { Emit, Tx } from '@mathnet/db';
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
import {
  type MappingEntity,
  type MappingRow,
  type MappingWrite,
  mappingsFor,
  takenNetworkIds,
  touchMappings,
  upsertMappings,
} from '../store/mapping-store';
import type { RunCounts, RunError } from '../store/schema';
import { buildClass, buildEnrollment, buildPerson, emailHashOf, fingerprintOf } from './fact-builder';
import { matchPeople } from './person-matcher';

/** The run a page belongs to. */
export interface RunScope {
  runId: string;
  connectionId: string;
  organisationId: string;
}

/** What applying a page changed. */
export interface PageOutcome {
  counts: RunCounts;
  errors: RunError[];
}

const zero = (): RunCounts => ({ created: 0, updated: 0, deactivated: 0, unchanged: 0, failed: 0 });

type Fact = { id: string; active: boolean };

/**
 * Decides, for facts of one entity type, what is created, updated, deactivated
 * or unchanged against the mappings, writes the mappings, and returns the facts
 * that changed (to emit).
 */
async function reconcile<F extends Fact>(
  tx: Tx,
  scope: RunScope,
  entity: MappingEntity,
  items: { sourceId: string; fact: F }[],
  existing: Map<string, MappingRow>,
  counts: RunCounts,
): Promise<F[]> {
  const changed: F[] = [];
  const writes: MappingWrite[] = [];
  const untouched: string[] = [];
  for (const { sourceId, fact } of items) {
    const before = existing.get(sourceId);
    const fingerprint = fingerprintOf(fact);
    if (!before) {
      if (!fact.active) {
        counts.unchanged += 1;
        continue;
      }
      counts.created += 1;
    } else if (before.fingerprint === fingerprint && before.active === fact.active) {
      counts.unchanged += 1;
      untouched.push(sourceId);
      continue;
    } else if (!fact.active) {
      if (before.active) counts.deactivated += 1;
      else counts.unchanged += 1;
    } else {
      counts.updated += 1;
    }
    changed.push(fact);
    writes.push({
      entity,
      sourceId,
      networkId: fact.id,
      fingerprint,
      active: fact.active,
      detail: fact as unknown as Record<string, unknown>,
    });
  }
  await upsertMappings(tx, scope.connectionId, scope.runId, writes);
  await touchMappings(tx, scope.connectionId, entity, untouched, scope.runId);
  return changed;
}

/** Keeps reference data (sessions, courses, line items) as mappings with their details; no facts, no counts. */
async function keepReference(
  tx: Tx,
  scope: RunScope,
  entity: MappingEntity,
  records: { sourcedId: string; status: string }[],
  detail: (r: never) => Record<string, unknown>,
) {
  const existing = await mappingsFor(
    tx,
    scope.connectionId,
    entity,
    records.map((r) => r.sourcedId),
  );
  const writes = records.map((r) => {
    const d = detail(r as never);
    return {
      entity,
      sourceId: r.sourcedId,
      networkId: existing.get(r.sourcedId)?.networkId ?? uuidv7(),
      fingerprint: fingerprintOf(d),
      active: r.status === 'active',
      detail: d,
    };
  });
  await upsertMappings(tx, scope.connectionId, scope.runId, writes);
}

const batches = <T>(items: T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/** Applies one pulled page in the caller's transaction: mappings, counts, and the facts to emit. */
export async function applyPage(tx: Tx, emit: Emit, scope: RunScope, page: PulledPage): Promise<PageOutcome> {
  const counts = zero();
  const errors: RunError[] = page.rejected.map((r) => ({ ...r }));
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
      await keepReference(tx, scope, 'session', page.records as AcademicSession[], (s: AcademicSession) => ({
        startDate: s.startDate,
        endDate: s.endDate,
      }));
      break;
    case 'courses':
      await keepReference(tx, scope, 'course', page.records as Course[], (c: Course) => ({
        title: c.title,
        subjects: c.subjects,
        grades: c.grades,
      }));
      break;
    case 'lineItems':
      await keepReference(tx, scope, 'lineItem', page.records as LineItem[], (l: LineItem) => ({
        classSourcedId: l.classSourcedId,
        max: l.resultValueMax ?? null,
      }));
      break;
    case 'classes': {
      const classes = page.records as Class[];
      const existing = await mappingsFor(
        tx,
        scope.connectionId,
        'class',
        classes.map((c) => c.sourcedId),
      );
      const courses = await mappingsFor(
        tx,
        scope.connectionId,
        'course',
        classes.map((c) => c.courseSourcedId),
      );
      const sessions = await mappingsFor(
        tx,
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
      const changed = await reconcile<LmsClassFact>(tx, scope, 'class', items, existing, counts);
      for (const chunk of batches(changed, 1000))
        emit({ type: 'mathnet.lms.classes.synced', data: { ...header, classes: chunk } });
      break;
    }
    case 'users': {
      const users = page.records as User[];
      const existing = await mappingsFor(
        tx,
        scope.connectionId,
        'user',
        users.map((u) => u.sourcedId),
      );
      const agents = await mappingsFor(
        tx,
        scope.connectionId,
        'user',
        users.flatMap((u) => u.agentSourcedIds),
      );
      const fresh = users.filter((u) => !existing.has(u.sourcedId) && u.status === 'active');
      const candidates = fresh.map((u) => ({
        sourceId: u.sourcedId,
        givenName: u.givenName,
        familyName: u.familyName,
        birthDate: u.birthDate ?? null,
        emailHash: emailHashOf(u.email),
      }));
      const matched = await matchPeople(tx, scope.organisationId, candidates, new Set());
      const taken = await takenNetworkIds(tx, scope.connectionId, 'user', [...matched.values()]);
      const items: { sourceId: string; fact: LmsPersonFact }[] = [];
      for (const u of users) {
        const matchedId = matched.get(u.sourcedId);
        const id =
          existing.get(u.sourcedId)?.networkId ?? (matchedId && !taken.has(matchedId) ? matchedId : uuidv7());
        const previous = existing.get(u.sourcedId)?.detail as LmsPersonFact | undefined;
        // A delta row without roles changes the person, not their roles.
        const built =
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
            : buildPerson(
                u,
                id,
                (agent) => agents.get(agent)?.networkId ?? items.find((i) => i.sourceId === agent)?.fact.id,
              );
        if ('rejected' in built) reject('users', u.sourcedId, built.rejected);
        else items.push({ sourceId: u.sourcedId, fact: built.fact });
      }
      const changed = await reconcile<LmsPersonFact>(tx, scope, 'user', items, existing, counts);
      for (const chunk of batches(changed, 1000))
        emit({ type: 'mathnet.lms.people.synced', data: { ...header, people: chunk } });
      break;
    }
    case 'enrollments': {
      const enrollments = page.records as Enrollment[];
      const existing = await mappingsFor(
        tx,
        scope.connectionId,
        'enrollment',
        enrollments.map((e) => e.sourcedId),
      );
      const classes = await mappingsFor(
        tx,
        scope.connectionId,
        'class',
        enrollments.map((e) => e.classSourcedId),
      );
      const users = await mappingsFor(
        tx,
        scope.connectionId,
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
      const changed = await reconcile<LmsEnrollmentFact>(tx, scope, 'enrollment', items, existing, counts);
      for (const chunk of batches(changed, 5000))
        emit({ type: 'mathnet.lms.enrollments.synced', data: { ...header, enrollments: chunk } });
      break;
    }
    case 'results': {
      const results = page.records as Result[];
      const lineItems = await mappingsFor(
        tx,
        scope.connectionId,
        'lineItem',
        results.map((r) => r.lineItemSourcedId),
      );
      const classIds = [...lineItems.values()].map(
        (l) => (l.detail as { classSourcedId: string }).classSourcedId,
      );
      const classes = await mappingsFor(tx, scope.connectionId, 'class', classIds);
      const users = await mappingsFor(
        tx,
        scope.connectionId,
        'user',
        results.map((r) => r.studentSourcedId),
      );
      const existing = await mappingsFor(
        tx,
        scope.connectionId,
        'result',
        results.map((r) => r.sourcedId),
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
      const changed = await reconcile(tx, scope, 'result', items, existing, counts);
      const grades: LmsGradeFact[] = changed
        .filter((f) => f.active)
        .map(({ id: _id, active: _active, ...grade }) => grade);
      for (const chunk of batches(grades, 5000))
        emit({ type: 'mathnet.lms.grades.synced', data: { ...header, grades: chunk } });
      break;
    }
  }
  return { counts, errors };
}

export { zero as zeroCounts };
