import { hashPassword, requireActor, verifyPassword } from '@mathnet/auth';
import type { Db } from '@mathnet/db';
import { InputError, NotAllowedError, NotFoundError, parseInput } from '@mathnet/kit';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { Router } from 'express';
import {
  assertMayTryPassword,
  forgetWrongPasswords,
  recordWrongPassword,
} from '../store/password-change-guard';
import { accounts, refreshTokens } from '../store/schema';
import { passwordChangeSchema } from './schemas';

/**
 * The signed-in person's own account. Changing the password needs the current one
 * (a stolen access token alone must not take the account over) and ends every other
 * session: all the account's refresh tokens are revoked, so devices signed in with the
 * old password are out within one access-token lifetime. Five wrong current passwords in
 * 15 minutes and the account answers 429 until the oldest of them is 15 minutes old.
 */
export function accountRouter(db: Db): Router {
  const router = Router();
  router.post('/v1/account/password', async (req, res) => {
    const actor = requireActor(req);
    if (actor.kind !== 'person') throw new NotAllowedError('Only a person has a password to change');
    const body = parseInput(passwordChangeSchema, req.body);
    // One attempt at a time per account (the row lock): concurrent guesses cannot all pass
    // the failure count before any of them is recorded.
    const verdict = await db.transaction(async (tx) => {
      const [account] = await tx
        .select()
        .from(accounts)
        .where(eq(accounts.personId, actor.subject))
        .for('update');
      if (!account || account.disabled) return 'no-account' as const;
      await assertMayTryPassword(tx, actor.subject);
      if (!(await verifyPassword(body.currentPassword, account.passwordHash))) {
        await recordWrongPassword(tx, actor.subject);
        return 'wrong' as const;
      }
      if (body.newPassword === body.currentPassword) return 'same' as const;
      const passwordHash = await hashPassword(body.newPassword);
      await tx.update(accounts).set({ passwordHash }).where(eq(accounts.personId, actor.subject));
      await tx
        .update(refreshTokens)
        .set({ revokedAt: sql`now()` })
        .where(and(eq(refreshTokens.personId, actor.subject), isNull(refreshTokens.revokedAt)));
      await forgetWrongPasswords(tx, actor.subject);
      return 'changed' as const;
    });
    // Thrown after the commit, so that a wrong password's failure record stays.
    if (verdict === 'no-account') throw new NotFoundError('You have no active login account');
    if (verdict === 'wrong')
      throw new InputError('The current password is wrong', [
        { path: 'currentPassword', message: 'is wrong' },
      ]);
    if (verdict === 'same')
      throw new InputError('The new password is the same as the current one', [
        { path: 'newPassword', message: 'must differ from the current password' },
      ]);
    res.status(204).end();
  });
  return router;
}
