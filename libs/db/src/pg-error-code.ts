/** SQLSTATE classes (https://www.postgresql.org/docs/current/errcodes-appendix.html); not errno codes like EPIPE. */
const sqlState = /^(?:[0-5][0-9A-Z]|F0|HV|P0|XX)[0-9A-Z]{3}$/;

/**
 * The PostgreSQL SQLSTATE of an error from either driver (pg or PGlite), looking through
 * the `cause` chain drizzle wraps them in; undefined when there is none. Services map
 * `23505` (unique violation) to 409, for instance.
 */
export function pgErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  // Bounded: a cause chain could be cyclic.
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    const code: unknown = (current as { code?: unknown }).code;
    if (typeof code === 'string' && sqlState.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
