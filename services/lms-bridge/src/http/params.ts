import { NotFoundError } from '@mathnet/kit';

/** A path id that is not a UUID cannot name anything: 404, never a database error. */
export function uuidParam(value: string | undefined, what: string): string {
  if (!value || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value))
    throw new NotFoundError(`No ${what} ${value ?? ''}`.trim());
  return value.toLowerCase();
}
