import { AssertionError } from 'chai';
import type { Capability, LmsSession, PulledPage, PullOptions } from '../connector';
import { type EntityType, entityOrder, entitySchemas } from '../entities';
import type { RejectedRecord } from '../errors';

/** The capabilities that pull. */
export type PullCapability = Extract<Capability, `${string}.pull`>;
export const pullCapabilities: readonly PullCapability[] = ['roster.pull', 'courses.pull', 'grades.pull'];

/** Which entity types each pull may deliver. */
export const pullEntities: Record<PullCapability, readonly EntityType[]> = {
  'roster.pull': ['orgs', 'academicSessions', 'courses', 'classes', 'users', 'enrollments'],
  'courses.pull': ['orgs', 'academicSessions', 'courses', 'classes'],
  'grades.pull': ['lineItems', 'results'],
};

const pullMethod = {
  'roster.pull': 'pullRoster',
  'courses.pull': 'pullCourses',
  'grades.pull': 'pullGrades',
} as const;

/** Everything one pull delivered. */
export interface CollectedPull {
  capability: PullCapability;
  pages: PulledPage[];
  /** The sourcedIds of the delivered records, per entity type, in order of arrival. */
  sourcedIds: Partial<Record<EntityType, string[]>>;
  rejected: RejectedRecord[];
}

/** Starts a pull and returns its iterator (throws when the session does not implement it). */
export function startPull(
  session: LmsSession,
  capability: PullCapability,
  options: PullOptions,
): AsyncIterator<PulledPage> {
  const method = session[pullMethod[capability]];
  if (typeof method !== 'function')
    throw new AssertionError(`the session has no ${pullMethod[capability]}()`);
  const iterable = method.call(session, options);
  if (!iterable || typeof iterable[Symbol.asyncIterator] !== 'function') {
    throw new AssertionError(`${pullMethod[capability]}() must return an async iterable of pages`);
  }
  return iterable[Symbol.asyncIterator]();
}

/**
 * Checks one page: a known entity type the capability may deliver, a valid
 * mode, every record valid for `entitySchemas[page.entity]`, and every
 * rejected entry with an entity and a reason.
 */
export function checkPage(page: PulledPage, capability: PullCapability, index = 0): void {
  const where = `${capability} page #${index + 1}`;
  if (!page || typeof page !== 'object') throw new AssertionError(`${where} is not an object`);
  if (!(page.entity in entitySchemas)) {
    throw new AssertionError(`${where}: unknown entity type ${JSON.stringify(page.entity)}`);
  }
  if (!pullEntities[capability].includes(page.entity)) {
    throw new AssertionError(
      `${where}: ${capability} may deliver ${pullEntities[capability].join(', ')}, not ${page.entity}`,
    );
  }
  if (page.mode !== 'bulk' && page.mode !== 'delta') {
    throw new AssertionError(
      `${where} (${page.entity}): mode must be 'bulk' or 'delta', got ${JSON.stringify(page.mode)}`,
    );
  }
  if (!Array.isArray(page.records) || !Array.isArray(page.rejected)) {
    throw new AssertionError(`${where} (${page.entity}): records and rejected must be arrays`);
  }
  const schema = entitySchemas[page.entity];
  page.records.forEach((record, i) => {
    const parsed = schema.safeParse(record);
    if (!parsed.success) {
      const id = (record as { sourcedId?: unknown } | null)?.sourcedId;
      const issues = parsed.error.issues.map(
        (issue) => `${issue.path.join('.') || '(record)'}: ${issue.message}`,
      );
      throw new AssertionError(
        `${where} (${page.entity}) record #${i + 1}${typeof id === 'string' ? ` ${id}` : ''} is not a valid ${page.entity} record: ${issues.join('; ')} (report it in rejected instead)`,
      );
    }
  });
  page.rejected.forEach((rejected, i) => {
    if (typeof rejected?.entity !== 'string' || rejected.entity === '') {
      throw new AssertionError(`${where} (${page.entity}) rejected #${i + 1} has no entity`);
    }
    if (typeof rejected.reason !== 'string' || rejected.reason.trim() === '') {
      throw new AssertionError(`${where} (${page.entity}) rejected #${i + 1} has no reason`);
    }
  });
}

/**
 * Runs a pull to the end, checking every page as it arrives (see {@link checkPage})
 * and that entity types arrive in `entityOrder` (references point backwards).
 */
export async function collectPull(
  session: LmsSession,
  capability: PullCapability,
  options: Partial<PullOptions> = {},
): Promise<CollectedPull> {
  const signal = options.signal ?? new AbortController().signal;
  const iterator = startPull(session, capability, { ...options, signal });
  const result: CollectedPull = { capability, pages: [], sourcedIds: {}, rejected: [] };
  const modes = new Map<EntityType, string>();
  let lastOrder = -1;
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    const page = next.value;
    checkPage(page, capability, result.pages.length);
    const order = entityOrder.indexOf(page.entity);
    if (order < lastOrder) {
      throw new AssertionError(
        `${capability}: ${page.entity} arrived after ${entityOrder[lastOrder]}; deliver entity types in the order ${entityOrder.join(', ')}`,
      );
    }
    lastOrder = order;
    const mode = modes.get(page.entity);
    if (mode && mode !== page.mode) {
      throw new AssertionError(`${capability}: ${page.entity} pages mix modes ${mode} and ${page.mode}`);
    }
    modes.set(page.entity, page.mode);
    result.pages.push(page);
    const ids = result.sourcedIds[page.entity] ?? [];
    for (const record of page.records) ids.push(record.sourcedId);
    result.sourcedIds[page.entity] = ids;
    result.rejected.push(...page.rejected);
  }
  return result;
}

/** Checks that a bulk pull names each record once per entity type. */
export function checkUniqueSourcedIds(pull: CollectedPull): void {
  for (const [entity, ids] of Object.entries(pull.sourcedIds)) {
    const bulk = pull.pages.some((p) => p.entity === entity && p.mode === 'bulk');
    if (!bulk) continue;
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id))
        throw new AssertionError(`${pull.capability}: ${entity} ${id} was delivered twice in one bulk pull`);
      seen.add(id);
    }
  }
}

/**
 * The paging rule: pulled with a small page size, at least one entity type
 * arrives in two or more pages, and no page holds more than `maxPageSize` records.
 */
export function checkPaging(pull: CollectedPull, maxPageSize: number): void {
  for (const [i, page] of pull.pages.entries()) {
    if (page.records.length > maxPageSize) {
      throw new AssertionError(
        `${pull.capability} page #${i + 1} (${page.entity}) holds ${page.records.length} records; the page size asked was ${maxPageSize}`,
      );
    }
  }
  const pagesPerEntity = new Map<EntityType, number>();
  for (const page of pull.pages) pagesPerEntity.set(page.entity, (pagesPerEntity.get(page.entity) ?? 0) + 1);
  if (![...pagesPerEntity.values()].some((n) => n >= 2)) {
    throw new AssertionError(
      `${pull.capability}: with page size ${maxPageSize} no entity type arrived in several pages (pages: ${[...pagesPerEntity].map(([e, n]) => `${e} ${n}`).join(', ') || 'none'}); page through the LMS, and give the double more than ${maxPageSize} records of one type`,
    );
  }
}

/** Checks that two pulls of the same data (e.g. with different page sizes) deliver the same sourcedIds. */
export function checkSameRecords(a: CollectedPull, b: CollectedPull): void {
  const entities = new Set([...Object.keys(a.sourcedIds), ...Object.keys(b.sourcedIds)] as EntityType[]);
  for (const entity of entities) {
    const left = [...new Set(a.sourcedIds[entity] ?? [])].sort();
    const right = [...new Set(b.sourcedIds[entity] ?? [])].sort();
    const missing = left.filter((id) => !right.includes(id));
    const extra = right.filter((id) => !left.includes(id));
    if (missing.length > 0 || extra.length > 0) {
      throw new AssertionError(
        `${a.capability}: paging changed the ${entity} delivered (missing ${missing.slice(0, 5).join(', ') || 'none'}; extra ${extra.slice(0, 5).join(', ') || 'none'})`,
      );
    }
  }
}

/** Checks the record counts: at least `minRecords[entity]` of each given type, or at least one record in all when none is given. */
export function checkMinRecords(
  pulls: CollectedPull[],
  minRecords: Partial<Record<EntityType, number>> | undefined,
): void {
  const count = (entity: EntityType) =>
    pulls.reduce((n, p) => n + new Set(p.sourcedIds[entity] ?? []).size, 0);
  if (minRecords && Object.keys(minRecords).length > 0) {
    for (const [entity, min] of Object.entries(minRecords) as [EntityType, number][]) {
      if (count(entity) < min)
        throw new AssertionError(`expected at least ${min} ${entity}, the pulls delivered ${count(entity)}`);
    }
    return;
  }
  for (const pull of pulls) {
    const total = Object.values(pull.sourcedIds).reduce((n, ids) => n + (ids?.length ?? 0), 0);
    if (total === 0)
      throw new AssertionError(
        `${pull.capability} delivered no record; a pull of the test double must deliver some`,
      );
  }
}
