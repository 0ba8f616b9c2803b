import type { KeyObject } from 'node:crypto';
import { AuthenticationError, ServiceUnavailableError } from '@mathnet/kit';

/** Options of a {@link KeyCache}. */
export interface KeyCacheOptions {
  /** Loads every currently valid public key by kid. */
  load: () => Promise<Map<string, KeyObject>>;
  /** Where the keys come from, for error messages. */
  source: string;
  /** Refresh after this long; default 10 minutes. */
  cacheTtlMs?: number;
  /** At most one load per this interval, whatever the tokens say; default 10 s. */
  minRefreshIntervalMs?: number;
  now?: () => number;
  /** Told about a failed load (the cache keeps serving the keys it has). */
  onRefreshError?: (error: Error) => void;
}

/**
 * Public keys by kid, parsed once per load. Loads when the keys are older than the
 * TTL or a token names an unknown kid, but never more than once per
 * `minRefreshIntervalMs`, so a flood of garbage tokens cannot hammer the source;
 * concurrent callers share one load.
 */
export class KeyCache {
  readonly #options: Required<Omit<KeyCacheOptions, 'onRefreshError'>> &
    Pick<KeyCacheOptions, 'onRefreshError'>;
  #keys = new Map<string, KeyObject>();
  #loadedAt = Number.NEGATIVE_INFINITY;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  #lastError: Error | undefined;
  #inflight: Promise<void> | undefined;

  constructor(options: KeyCacheOptions) {
    this.#options = {
      ...options,
      cacheTtlMs: options.cacheTtlMs ?? 600_000,
      minRefreshIntervalMs: options.minRefreshIntervalMs ?? 10_000,
      now: options.now ?? Date.now,
    };
  }

  /** The key with this kid; rejects with AuthenticationError when the source does not know it. */
  async keyFor(kid: string): Promise<KeyObject> {
    // A load already under way may bring the key: wait for it rather than start another.
    if (this.#inflight) await this.#inflight;
    const now = this.#options.now();
    const stale = now - this.#loadedAt >= this.#options.cacheTtlMs;
    if ((stale || !this.#keys.has(kid)) && now - this.#lastAttemptAt >= this.#options.minRefreshIntervalMs) {
      await this.refresh();
    }
    const key = this.#keys.get(kid);
    if (key) return key;
    if (this.#lastError) {
      throw new ServiceUnavailableError(
        `Cannot load the token signing keys from ${this.#options.source}: ${this.#lastError.message}`,
      );
    }
    throw new AuthenticationError(`The token was signed with an unknown key (kid ${kid.slice(0, 64)})`);
  }

  /** Loads the keys now (or joins the load under way). A failed load keeps the previous keys. */
  refresh(): Promise<void> {
    if (!this.#inflight) {
      this.#lastAttemptAt = this.#options.now();
      this.#inflight = this.#options
        .load()
        .then(
          (keys) => {
            this.#keys = keys;
            this.#loadedAt = this.#options.now();
            this.#lastError = undefined;
          },
          (error: unknown) => {
            this.#lastError = error instanceof Error ? error : new Error(String(error));
            this.#options.onRefreshError?.(this.#lastError);
          },
        )
        .finally(() => {
          this.#inflight = undefined;
        });
    }
    return this.#inflight;
  }
}
