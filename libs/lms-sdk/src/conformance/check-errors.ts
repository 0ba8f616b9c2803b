import { AssertionError } from 'chai';
import { ConnectorError, RateLimitedError } from '../errors';

/** A ConnectorError subclass, e.g. AuthFailedError. */
// biome-ignore lint/suspicious/noExplicitAny: constructors of the subclasses take different arguments
export type ConnectorErrorClass = abstract new (...args: any[]) => ConnectorError;

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return JSON.stringify(error) ?? String(error);
}

/**
 * Awaits `promise` and checks that it rejects with an instance of `expected`
 * (a ConnectorError subclass). Returns the error.
 */
export async function expectConnectorError<T extends ConnectorErrorClass>(
  promise: Promise<unknown>,
  expected: T,
  what: string,
): Promise<InstanceType<T>> {
  let error: unknown;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  if (error === undefined)
    throw new AssertionError(`${what}: expected a rejection with ${expected.name}, but it resolved`);
  if (error instanceof expected) return error as InstanceType<T>;
  if (error instanceof Error && error.name === expected.name) {
    throw new AssertionError(
      `${what}: got a ${expected.name} from another copy of @mathnet/lms-sdk; declare @mathnet/lms-sdk as a peer dependency`,
    );
  }
  if (!(error instanceof ConnectorError)) {
    throw new AssertionError(
      `${what}: expected ${expected.name}, got ${describeError(error)}; throw the SDK's typed errors, never plain errors`,
    );
  }
  throw new AssertionError(`${what}: expected ${expected.name}, got ${describeError(error)}`);
}

/** True for what an aborted operation should reject with: the signal's reason or an error named AbortError. */
export function isAbortError(error: unknown, signal?: AbortSignal): boolean {
  if (signal && error === signal.reason) return true;
  return !!error && typeof error === 'object' && (error as { name?: unknown }).name === 'AbortError';
}

/**
 * Checks the outcome of a call against a rate-limiting LMS: it either succeeded
 * (the connector waited and retried) or rejected with RateLimitedError with a
 * positive, finite retryAfterMs.
 */
export async function checkRateLimited(
  promise: Promise<unknown>,
  what: string,
): Promise<'succeeded' | 'rate-limited'> {
  try {
    await promise;
    return 'succeeded';
  } catch (error) {
    if (!(error instanceof RateLimitedError)) {
      throw new AssertionError(
        `${what}: against a rate-limiting LMS expected success or RateLimitedError, got ${describeError(error)}`,
      );
    }
    if (!Number.isFinite(error.retryAfterMs) || error.retryAfterMs <= 0) {
      throw new AssertionError(
        `${what}: RateLimitedError.retryAfterMs must be a positive number, got ${error.retryAfterMs}`,
      );
    }
    return 'rate-limited';
  }
}

/** Settles `promise` or fails after `ms` with a message saying what did not happen in time. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AssertionError(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
