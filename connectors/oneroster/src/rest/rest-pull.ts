import {
  type EntityType,
  LmsUnavailableError,
  type PulledPage,
  type RejectedRecord,
  throwIfAborted,
  validateRecords,
} from '@mathnet/lms-sdk';
import type { OneRosterRestClient } from './rest-client';
import { restMappers } from './rest-mappers';

/** Where each entity type lives in the REST binding v1p2, and the key of its collection in the JSON answer. */
export const restEndpoints: Record<EntityType, { path: string; key: string }> = {
  orgs: { path: '/ims/oneroster/rostering/v1p2/orgs', key: 'orgs' },
  academicSessions: { path: '/ims/oneroster/rostering/v1p2/academicSessions', key: 'academicSessions' },
  courses: { path: '/ims/oneroster/rostering/v1p2/courses', key: 'courses' },
  classes: { path: '/ims/oneroster/rostering/v1p2/classes', key: 'classes' },
  users: { path: '/ims/oneroster/rostering/v1p2/users', key: 'users' },
  enrollments: { path: '/ims/oneroster/rostering/v1p2/enrollments', key: 'enrollments' },
  lineItems: { path: '/ims/oneroster/gradebook/v1p2/lineItems', key: 'lineItems' },
  results: { path: '/ims/oneroster/gradebook/v1p2/results', key: 'results' },
};

/** Options of {@link pullRest}. */
export interface RestPullOptions {
  signal: AbortSignal;
  pageSize: number;
  /** Only records changed after this time (a `filter` on dateLastModified); pages are then deltas. */
  since?: string;
}

/** The `filter` parameter for changes since a time (1.2 filter syntax: `field>'value'`). */
export function sinceFilter(since: string): string {
  return `dateLastModified>'${since.replace(/'/g, '')}'`;
}

/**
 * Pages through the collection endpoints of the given entity types with
 * `limit`/`offset`, stopping at `X-Total-Count` (or at an empty page when the
 * service does not send it). Without `since` the pages are bulk: records the
 * service still lists as `tobedeleted` are left out, and a record repeated
 * across pages (the data moved while paging) is delivered once. With `since`,
 * the pages are deltas, deletions included.
 */
export async function* pullRest(
  client: OneRosterRestClient,
  entities: readonly EntityType[],
  options: RestPullOptions,
): AsyncGenerator<PulledPage> {
  const { signal, pageSize, since } = options;
  const mode = since ? 'delta' : 'bulk';
  for (const entity of entities) {
    const { path, key } = restEndpoints[entity];
    const seen = new Set<string>();
    let offset = 0;
    for (let pages = 0; ; pages++) {
      throwIfAborted(signal);
      const query: Record<string, string> = { limit: String(pageSize), offset: String(offset) };
      if (since) query.filter = sinceFilter(since);
      const { body, total } = await client.get(path, query, signal);
      const items = body[key];
      if (!Array.isArray(items)) {
        throw new LmsUnavailableError(`GET ${path}: the answer has no "${key}" array`);
      }
      if (items.length === 0 && pages > 0) break;
      const raws: unknown[] = [];
      const rejected: RejectedRecord[] = [];
      for (const item of items) {
        if (!item || typeof item !== 'object') {
          rejected.push({ entity, reason: 'not a JSON object' });
          continue;
        }
        const problems: string[] = [];
        const raw = restMappers[entity](item as Record<string, unknown>, problems);
        const sourcedId = typeof raw.sourcedId === 'string' ? raw.sourcedId : undefined;
        if (mode === 'bulk' && raw.status === 'tobedeleted') continue;
        if (sourcedId && mode === 'bulk') {
          if (seen.has(sourcedId)) continue;
          seen.add(sourcedId);
        }
        if (problems.length > 0)
          rejected.push({ entity, ...(sourcedId ? { sourcedId } : {}), reason: problems.join('; ') });
        else raws.push(raw);
      }
      const checked = validateRecords(entity, raws);
      throwIfAborted(signal);
      yield { entity, mode, records: checked.records, rejected: [...rejected, ...checked.rejected] };
      offset += items.length;
      if (items.length === 0 || (total !== undefined && offset >= total)) break;
    }
  }
}
