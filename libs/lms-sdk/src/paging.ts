import type { z } from 'zod';
import { type EntityOf, type EntityType, entitySchemas } from './entities';
import { LmsUnavailableError, RateLimitedError, type RejectedRecord } from './errors';

/** Throws the signal's reason when it is aborted (call it between LMS calls and before each page). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason;
}

/** Splits records into pages of at most `pageSize` (a file import's records, an LMS that answers all at once). */
export async function* pageArray<T>(records: readonly T[], pageSize: number): AsyncGenerator<T[]> {
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
  for (let start = 0; start < records.length; start += pageSize) yield records.slice(start, start + pageSize);
}

/** Where raw records came from, so rejected records can say so (file imports). */
export interface RecordOrigin {
  /** The file name inside the archive. */
  file?: string;
  /** The 1-based line of the first record (e.g. 2 for a CSV file with a header line); record i is on line firstLine + i. */
  firstLine?: number;
}

/** The valid records of a batch, and the others with why they cannot be used. */
export interface ValidatedRecords<T extends EntityType> {
  records: EntityOf<T>[];
  rejected: RejectedRecord[];
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(record)'}: ${issue.message}`)
    .join('; ');
}

/**
 * Validates raw records with `entitySchemas[entity]` (applying its defaults).
 * A record that does not pass becomes a RejectedRecord whose reason names the
 * fields, e.g. `familyName: Invalid input: expected string, received undefined`.
 */
export function validateRecords<T extends EntityType>(
  entity: T,
  rawRecords: readonly unknown[],
  where: RecordOrigin = {},
): ValidatedRecords<T> {
  const schema = entitySchemas[entity] as unknown as z.ZodType<EntityOf<T>>;
  const result: ValidatedRecords<T> = { records: [], rejected: [] };
  rawRecords.forEach((raw, index) => {
    const parsed = schema.safeParse(raw);
    if (parsed.success) {
      result.records.push(parsed.data);
      return;
    }
    const sourcedId = (raw as { sourcedId?: unknown } | null)?.sourcedId;
    const rejected: RejectedRecord = { entity, reason: describeIssues(parsed.error) };
    if (typeof sourcedId === 'string' && sourcedId !== '') rejected.sourcedId = sourcedId;
    if (where.file !== undefined) rejected.file = where.file;
    if (where.firstLine !== undefined) rejected.line = where.firstLine + index;
    result.rejected.push(rejected);
  });
  return result;
}

/**
 * Waits `ms`, or rejects with the signal's reason as soon as it aborts.
 * The timer does not keep the process alive.
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    timer.unref?.();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Options of {@link withRetry}. */
export interface RetryOptions {
  /** Aborting stops the retries at once: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Calls in all, the first included (default 3). */
  attempts?: number;
  /** Wait before the second call after LmsUnavailableError; doubles each time (default 200 ms). */
  baseDelayMs?: number;
  /**
   * The longest wait worth doing inside one pull (default 30 000 ms). A rate
   * limit asking for longer is rethrown, so the bridge schedules the retry.
   */
  maxDelayMs?: number;
}

/**
 * Calls `fn` and retries it when it fails with LmsUnavailableError (exponential
 * backoff from `baseDelayMs`) or RateLimitedError (waiting its `retryAfterMs`).
 * Any other error, the last attempt's error and an abort are rethrown at once.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const { signal, attempts = 3, baseDelayMs = 200, maxDelayMs = 30_000 } = options;
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal);
    try {
      return await fn(attempt);
    } catch (error) {
      // An abort is never an LMS failure: rethrow the reason, not what the call made of it.
      throwIfAborted(signal);
      let wait: number;
      if (error instanceof RateLimitedError) wait = error.retryAfterMs;
      else if (error instanceof LmsUnavailableError) wait = baseDelayMs * 2 ** (attempt - 1);
      else throw error;
      if (attempt >= attempts || wait > maxDelayMs) throw error;
      await delay(wait, signal);
    }
  }
}
