import type { Db, Tx } from '@mathnet/db';
import { TooManyRequestsError } from '@mathnet/kit';
import { and, eq, gt, lte, sql } from 'drizzle-orm';
import { passwordChangeFailures } from './schema';

/** Wrong current passwords allowed per account in {@link windowMinutes}, as for sign-ins (ADR 0004). */
export const passwordChangeFailureLimit = 5;
const windowMinutes = 15;
const windowStart = sql`now() - make_interval(mins => ${windowMinutes})`;

/**
 * Refuses with 429 (and Retry-After: when the oldest failure in the window stops counting)
 * once the account had {@link passwordChangeFailureLimit} wrong current passwords within the
 * window. Call it under the account's row lock, with {@link recordWrongPassword} in the same
 * transaction, so that concurrent attempts are counted one after another.
 */
export async function assertMayTryPassword(db: Db | Tx, personId: string): Promise<void> {
  const [row] = await db
    .select({
      failures: sql<number>`count(*)::int`,
      retryAfter: sql<number>`ceil(extract(epoch from min(${passwordChangeFailures.at}) + make_interval(mins => ${windowMinutes}) - now()))::int`,
    })
    .from(passwordChangeFailures)
    .where(and(eq(passwordChangeFailures.personId, personId), gt(passwordChangeFailures.at, windowStart)));
  if (row && row.failures >= passwordChangeFailureLimit) {
    throw new TooManyRequestsError(
      `Too many wrong current passwords for this account; try again in ${row.retryAfter} s`,
      Math.max(1, row.retryAfter),
    );
  }
}

/** Records a wrong current password, and forgets this account's failures that no longer count. */
export async function recordWrongPassword(tx: Tx, personId: string): Promise<void> {
  await tx
    .delete(passwordChangeFailures)
    .where(and(eq(passwordChangeFailures.personId, personId), lte(passwordChangeFailures.at, windowStart)));
  await tx.insert(passwordChangeFailures).values({ personId });
}

/** After a successful change: the account starts with a clean slate. */
export async function forgetWrongPasswords(tx: Tx, personId: string): Promise<void> {
  await tx.delete(passwordChangeFailures).where(eq(passwordChangeFailures.personId, personId));
}
