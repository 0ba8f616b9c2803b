import type { Actor, TokenVerifier } from '@mathnet/auth';

/** Options of {@link CachingVerifier}. */
export interface TokenCacheOptions {
  /** Most tokens remembered; the least recently used one goes first (roughly). Default 10 000 (about 10 MB of tokens). */
  maxEntries?: number;
  /** Longest a verification is reused, ms, however far away the token's `exp` is; default 60 000. */
  maxAgeMs?: number;
  /** Clock in milliseconds since the epoch; for tests. */
  now?: () => number;
}

interface Entry {
  actor: Actor;
  /** Reuse until this time (ms): the token's `exp`, at most `maxAgeMs` after it was verified. */
  until: number;
  /** The insertion count when the entry was (re-)inserted. */
  inserted: number;
}

/** The `exp` claim (seconds) of a token that was just verified, or undefined when it has none we can read. */
function expiryOf(token: string): number | undefined {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first < 0 || second < 0) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(token.slice(first + 1, second), 'base64url').toString('utf8')) as {
      exp?: unknown;
    };
    return typeof payload.exp === 'number' ? payload.exp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A TokenVerifier that remembers the tokens it verified, so the RS256 check is
 * not repeated on every request of a client. Keyed by the raw token (the
 * signature is part of it, so a different token never shares an entry); an
 * entry is reused until the token's `exp` and at most `maxAgeMs`, after which the
 * token goes through the wrapped verifier again (and is refused once expired).
 * Failures are not remembered. Consequence: a signing key withdrawn from the
 * JWKS keeps its tokens valid here for up to `maxAgeMs` more.
 */
export class CachingVerifier implements TokenVerifier {
  readonly #verifier: TokenVerifier;
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #insertions = 0;

  constructor(verifier: TokenVerifier, options: TokenCacheOptions = {}) {
    this.#verifier = verifier;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#maxAgeMs = options.maxAgeMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** Tokens remembered now. */
  get size(): number {
    return this.#entries.size;
  }

  /** The actor of a remembered, still valid token; undefined when the token has to be verified. */
  cached(token: string): Actor | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.until <= this.#now()) {
      this.#entries.delete(token);
      return undefined;
    }
    // The Map's order is the eviction order. A used entry moves to the end once it is in the older half,
    // not on every hit: an entry used at least once per maxEntries/2 insertions is never evicted.
    if (this.#insertions - entry.inserted > this.#maxEntries / 2) this.#insert(token, entry);
    return entry.actor;
  }

  async verify(token: string): Promise<Actor> {
    const cached = this.cached(token);
    if (cached) return cached;
    const actor = await this.#verifier.verify(token);
    this.#remember(token, actor);
    return actor;
  }

  #insert(token: string, entry: Entry): void {
    entry.inserted = ++this.#insertions;
    this.#entries.delete(token);
    this.#entries.set(token, entry);
  }

  #remember(token: string, actor: Actor): void {
    const exp = expiryOf(token);
    // A token whose expiry we cannot read is verified every time rather than trusted for a guessed period.
    if (exp === undefined) return;
    const now = this.#now();
    const until = Math.min(exp * 1000, now + this.#maxAgeMs);
    if (until <= now) return;
    this.#insert(token, { actor, until, inserted: 0 });
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}
