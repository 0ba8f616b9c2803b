import { InputError, NotFoundError } from './errors';

const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is written as a UUID. */
export const isUuid = (value: string): boolean => uuidShape.test(value);

/** A path id that is not a UUID cannot name anything: 404, never a database error. Lower-cased. */
export function uuidParam(value: string | undefined, what: string): string {
  if (!value || !isUuid(value)) throw new NotFoundError(`No ${what} ${value ?? ''}`.trim());
  return value.toLowerCase();
}

/** Opaque list cursors: the base64url of the last id of the page (ids are time-ordered UUIDv7). */
export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

/** The id a cursor names; a 400 for anything that is not a cursor this API gave out. */
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isUuid(id))
    throw new InputError('cursor: expected a cursor returned as nextCursor by a previous page');
  return id;
}

/** Splits `limit + 1` fetched rows into the page and its next cursor. */
export function pageOf<T extends { id: string }>(
  rows: T[],
  limit: number,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}
