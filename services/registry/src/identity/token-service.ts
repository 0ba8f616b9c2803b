import { randomUUID } from 'node:crypto';
import {
  type Actor,
  hashPassword,
  hashToken,
  type RoleGrant,
  randomToken,
  TokenIssuer,
  verifyPassword,
} from '@mathnet/auth';
import type { Db } from '@mathnet/db';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { accounts, clients, people, refreshTokens, roleAssignments } from '../store/schema';
import type { KeyStore } from './key-store';
import { OAuthError } from './oauth-error';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
}

export interface TokenServiceOptions {
  db: Db;
  keys: KeyStore;
  accessTtlSeconds: number;
  refreshTtlDays: number;
}

// Verifying against a real hash when the account does not exist keeps the answer time the same.
const dummyHash = hashPassword('not-a-real-password-0');

/** The OAuth 2.0 grants registry supports: password, refresh_token (rotating), client_credentials. */
export class TokenService {
  constructor(private readonly options: TokenServiceOptions) {}

  private async issuer(): Promise<TokenIssuer> {
    return new TokenIssuer({
      key: await this.options.keys.currentKey(),
      accessTtlSeconds: this.options.accessTtlSeconds,
    });
  }

  private async personActor(personId: string): Promise<Actor> {
    const { db } = this.options;
    const [person] = await db.select().from(people).where(eq(people.id, personId));
    if (person?.status !== 'active') throw new OAuthError('invalid_grant', 'The account is not active');
    const roles = await db.select().from(roleAssignments).where(eq(roleAssignments.personId, personId));
    return {
      subject: personId,
      kind: 'person',
      name: `${person.givenName} ${person.familyName}`,
      roles: roles.map(
        (r): RoleGrant => ({
          role: r.role as RoleGrant['role'],
          organisationId: r.organisationId,
          ...(r.studentId ? { studentId: r.studentId } : {}),
        }),
      ),
    };
  }

  private async issueWithRefresh(actor: Actor, familyId: string): Promise<TokenResponse> {
    const { accessToken, expiresIn } = (await this.issuer()).issueAccessToken(actor);
    const refresh = randomToken();
    await this.options.db.insert(refreshTokens).values({
      tokenHash: hashToken(refresh),
      familyId,
      personId: actor.subject,
      expiresAt: new Date(Date.now() + this.options.refreshTtlDays * 86_400_000),
    });
    return { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn, refresh_token: refresh };
  }

  /** Resource owner password grant: e-mail and password of a person's account. */
  async passwordGrant(username: string, password: string): Promise<TokenResponse> {
    const { db } = this.options;
    const [account] = await db
      .select()
      .from(accounts)
      .where(eq(accounts.email, username.trim().toLowerCase()));
    const ok = await verifyPassword(password, account?.passwordHash ?? (await dummyHash));
    if (!account || !ok || account.disabled)
      throw new OAuthError('invalid_grant', 'The e-mail or the password is wrong');
    const actor = await this.personActor(account.personId);
    await db.update(accounts).set({ lastLoginAt: new Date() }).where(eq(accounts.personId, account.personId));
    return this.issueWithRefresh(actor, randomUUID());
  }

  /**
   * Refresh grant with rotation: each refresh token works once. Presenting one
   * that was already used means it leaked: the whole family is revoked.
   */
  async refreshGrant(token: string): Promise<TokenResponse> {
    const { db } = this.options;
    const tokenHash = hashToken(token);
    const [row] = await db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash));
    if (!row || row.revokedAt) throw new OAuthError('invalid_grant', 'The refresh token is not valid');
    if (row.expiresAt.getTime() <= Date.now())
      throw new OAuthError('invalid_grant', 'The refresh token has expired');
    const claimed = await db
      .update(refreshTokens)
      .set({ usedAt: new Date() })
      .where(and(eq(refreshTokens.tokenHash, tokenHash), isNull(refreshTokens.usedAt)))
      .returning({ familyId: refreshTokens.familyId });
    if (claimed.length === 0) {
      await db
        .update(refreshTokens)
        .set({ revokedAt: sql`now()` })
        .where(and(eq(refreshTokens.familyId, row.familyId), isNull(refreshTokens.revokedAt)));
      throw new OAuthError(
        'invalid_grant',
        'The refresh token was already used; every token of this sign-in is revoked',
      );
    }
    const [account] = await db.select().from(accounts).where(eq(accounts.personId, row.personId));
    if (!account || account.disabled) throw new OAuthError('invalid_grant', 'The account is disabled');
    return this.issueWithRefresh(await this.personActor(row.personId), row.familyId);
  }

  /** Client credentials grant for a school's machine client (e.g. its LMS integration). */
  async clientCredentialsGrant(clientId: string, clientSecret: string): Promise<TokenResponse> {
    const [client] = await this.options.db.select().from(clients).where(eq(clients.clientId, clientId));
    const ok = await verifyPassword(clientSecret, client?.secretHash ?? (await dummyHash));
    if (!client || !ok || client.revokedAt)
      throw new OAuthError('invalid_client', 'Unknown client or wrong secret');
    const { accessToken, expiresIn } = (await this.issuer()).issueAccessToken({
      subject: client.clientId,
      kind: 'client',
      name: client.name,
      roles: [{ role: 'lms_client', organisationId: client.organisationId }],
    });
    return { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn };
  }
}
