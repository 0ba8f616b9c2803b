import { NotFoundError } from '@mathnet/kit';

/** A path id: anything that is not a UUID cannot name a resource, so it is a 404 (not a database error). */
export function uuidParam(value: string | undefined, what: string): string {
  if (!value || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
    throw new NotFoundError(`No ${what} ${value ?? ''}`.trim());
  }
  return value.toLowerCase();
}
