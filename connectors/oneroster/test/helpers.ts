import type { EntityType, ImportSource, LmsSession, PulledPage, RejectedRecord } from '@mathnet/lms-sdk';
import oneRosterConnector from '../src/index';

/** A CSV-only session (no baseUrl). */
export function csvSession(): LmsSession {
  return oneRosterConnector.connect({ settings: {}, secrets: {} });
}

/** Everything a pull delivered, by entity type. */
export interface Pulled {
  pages: PulledPage[];
  records: Partial<Record<EntityType, Record<string, unknown>[]>>;
  rejected: RejectedRecord[];
  modes: Partial<Record<EntityType, string>>;
}

/** Runs a pull to the end (the session must implement it). */
export async function collect(pages: AsyncIterable<PulledPage> | undefined): Promise<Pulled> {
  if (!pages) throw new Error('the session does not implement this pull');
  const out: Pulled = { pages: [], records: {}, rejected: [], modes: {} };
  for await (const page of pages) {
    out.pages.push(page);
    const list = out.records[page.entity] ?? [];
    list.push(...(page.records as unknown as Record<string, unknown>[]));
    out.records[page.entity] = list;
    out.rejected.push(...page.rejected);
    out.modes[page.entity] = page.mode;
  }
  return out;
}

/** pullRoster + pullGrades of a CSV archive (everything the archive holds). */
export async function importAll(source: ImportSource, pageSize?: number): Promise<Pulled> {
  const session = csvSession();
  const signal = new AbortController().signal;
  const roster = await collect(session.pullRoster?.({ signal, source, pageSize }));
  const grades = await collect(session.pullGrades?.({ signal, source, pageSize }));
  return {
    pages: [...roster.pages, ...grades.pages],
    records: { ...roster.records, ...grades.records },
    rejected: [...roster.rejected, ...grades.rejected],
    modes: { ...roster.modes, ...grades.modes },
  };
}

/** Counts of delivered records per entity type. */
export function counts(pulled: Pulled): Partial<Record<EntityType, number>> {
  return Object.fromEntries(Object.entries(pulled.records).map(([k, v]) => [k, v?.length ?? 0]));
}

/** The first rejection of a promise (fails when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

export const bytes = (data: Uint8Array): ImportSource => ({ kind: 'bytes', data });
