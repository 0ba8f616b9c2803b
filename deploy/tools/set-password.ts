/**
 * Sets the password of a registry account (the network administrator or anyone
 * else who signs in with an e-mail) and revokes the account's refresh tokens, so
 * that sessions opened with the old password end within one access-token
 * lifetime (15 minutes by default). People change their own password through
 * `POST /api/registry/v1/account/password` (the current one required); this is the
 * operator's way when the current password is lost. See docs/operators.md, "Rotating the administrator password".
 *
 *   DATABASE_URL=postgres://…/mathnet_registry ACCOUNT_EMAIL=admin@mathnet.local \
 *     node --import tsx deploy/tools/set-password.ts < new-password.txt
 *
 * The new password is the first line of standard input (or NEW_PASSWORD), at least
 * 8 characters. For the standalone mode use DATABASE_URL=pglite://./data/pglite
 * with the standalone process stopped: the data directory is locked while this runs.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { text } from 'node:stream/consumers';
import { hashPassword } from '@mathnet/auth';
import { createDatabase } from '@mathnet/db';
import { createLogger } from '@mathnet/kit';
import { DataDirLockedError, lockDataDir } from '@mathnet/standalone';
import { sql } from 'drizzle-orm';

// A one-shot tool run by hand, not a turbo task: its variables are its command-line interface.
const { DATABASE_URL, ACCOUNT_EMAIL, NEW_PASSWORD } = process.env;

function fail(message: string): never {
  process.stderr.write(`set-password: ${message}\n`);
  process.exit(1);
}

const url =
  DATABASE_URL ?? fail('set DATABASE_URL to the registry database (postgres://… or pglite://<dir>)');
const email = (ACCOUNT_EMAIL ?? fail('set ACCOUNT_EMAIL to the e-mail of the account')).trim().toLowerCase();
const password = (
  NEW_PASSWORD ?? (process.stdin.isTTY ? '' : (await text(process.stdin)).split('\n')[0])
)?.replace(/\r$/, '');
if (!password || password.length < 8)
  fail('the new password (first line of stdin, or NEW_PASSWORD) needs at least 8 characters');

let release = () => {};
if (url.startsWith('pglite://')) {
  const dir = resolve(url.slice('pglite://'.length));
  if (!existsSync(join(dir, 'PG_VERSION')))
    fail(`${dir} is not a PGlite data directory (it has no PG_VERSION)`);
  // The standalone process keeps its lock in the data directory, the parent of pglite/.
  try {
    const lock = lockDataDir(dirname(dir));
    release = () => lock.release();
  } catch (error) {
    if (error instanceof DataDirLockedError)
      fail(`${error.message} (stop it first: PGlite allows one process)`);
    throw error;
  }
}

const logger = createLogger('set-password', 'warn');
const database = await createDatabase(url, { logger });
try {
  const hash = await hashPassword(password);
  const changed = await database.db.transaction(async (tx) => {
    const updated = await tx.execute<{ person_id: string }>(
      sql`update registry.accounts set password_hash = ${hash} where email = ${email} returning person_id`,
    );
    const personId = updated.rows[0]?.person_id;
    if (!personId) return undefined;
    const revoked = await tx.execute<{ token_hash: string }>(
      sql`update registry.refresh_tokens set revoked_at = now()
          where person_id = ${personId} and revoked_at is null returning token_hash`,
    );
    return { revoked: revoked.rows.length };
  });
  if (changed) {
    process.stdout.write(
      `set-password: new password set for ${email}; ${changed.revoked} refresh tokens revoked\n`,
    );
  } else {
    process.stderr.write(`set-password: no account has the e-mail ${email}\n`);
    process.exitCode = 1;
  }
} finally {
  await database.close();
  release();
}
