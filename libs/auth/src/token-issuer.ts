import { createPrivateKey, type KeyObject, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { type Actor, actorToClaims } from './actor';
import type { SigningKey } from './signing-key';

/** Options of a {@link TokenIssuer}. */
export interface TokenIssuerOptions {
  /** The current signing key (its `kid` goes into the token header). */
  key: SigningKey;
  /** `iss` claim; default `mathnet`. */
  issuer?: string;
  /** `aud` claim; default `mathnet`. */
  audience?: string;
  /** Access token lifetime; default 900 (15 minutes). */
  accessTtlSeconds?: number;
  /** Clock in milliseconds since the epoch; for tests. */
  now?: () => number;
}

/** A freshly signed access token. */
export interface IssuedAccessToken {
  accessToken: string;
  /** Seconds until it expires (the OAuth `expires_in`). */
  expiresIn: number;
}

/** Signs RS256 access tokens for actors (used by the registry, the token endpoint's owner). */
export class TokenIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly accessTtlSeconds: number;
  readonly kid: string;
  // Parsed once: parsing a PEM per token would cost more than the signature itself.
  readonly #privateKey: KeyObject;
  readonly #now: () => number;

  constructor(options: TokenIssuerOptions) {
    this.issuer = options.issuer ?? 'mathnet';
    this.audience = options.audience ?? 'mathnet';
    this.accessTtlSeconds = options.accessTtlSeconds ?? 900;
    this.kid = options.key.kid;
    this.#privateKey = createPrivateKey(options.key.privateKeyPem);
    this.#now = options.now ?? Date.now;
  }

  /** Signs an access token with `sub`, `kind`, `roles`, `name`, `iss`, `aud`, `iat`, `exp`, `jti`. */
  issueAccessToken(actor: Actor): IssuedAccessToken {
    const iat = Math.floor(this.#now() / 1000);
    const payload = {
      ...actorToClaims(actor),
      iss: this.issuer,
      aud: this.audience,
      iat,
      exp: iat + this.accessTtlSeconds,
      jti: randomUUID(),
    };
    const accessToken = jwt.sign(payload, this.#privateKey, { algorithm: 'RS256', keyid: this.kid });
    return { accessToken, expiresIn: this.accessTtlSeconds };
  }
}
