import { AssertionError } from 'chai';
import type { EnrollmentPush, GradePush, LmsSession, PushOutcome } from '../connector';

/** The capabilities that push, with their items. */
export type PushCapability = 'enrollments.push' | 'grades.push';

async function push(
  session: LmsSession,
  capability: PushCapability,
  items: EnrollmentPush[] | GradePush[],
  signal: AbortSignal,
): Promise<PushOutcome[]> {
  if (capability === 'enrollments.push') {
    if (!session.pushEnrollments) throw new AssertionError('the session has no pushEnrollments()');
    return session.pushEnrollments(items as EnrollmentPush[], { signal });
  }
  if (!session.pushGrades) throw new AssertionError('the session has no pushGrades()');
  return session.pushGrades(items as GradePush[], { signal });
}

function checkOutcomes(
  capability: PushCapability,
  items: { key: string }[],
  outcomes: PushOutcome[],
  round: 'first' | 'second',
): void {
  if (!Array.isArray(outcomes) || outcomes.length !== items.length) {
    throw new AssertionError(
      `${capability} (${round} push): expected one outcome per item (${items.length}), got ${Array.isArray(outcomes) ? outcomes.length : typeof outcomes}`,
    );
  }
  for (const item of items) {
    const outcome = outcomes.find((o) => o.key === item.key);
    if (!outcome) throw new AssertionError(`${capability} (${round} push): no outcome for key ${item.key}`);
    if (!outcome.ok) {
      throw new AssertionError(
        `${capability} (${round} push): ${item.key} failed: ${outcome.error}; pushing must be idempotent`,
      );
    }
    if (typeof outcome.changed !== 'boolean') {
      throw new AssertionError(`${capability} (${round} push): ${item.key} outcome needs a boolean changed`);
    }
    if (round === 'second' && outcome.changed) {
      throw new AssertionError(
        `${capability}: pushing ${item.key} a second time changed the LMS again; the second push must report changed: false`,
      );
    }
  }
}

/**
 * The idempotency rule: pushing the same items twice gives `ok` for every item
 * both times, one outcome per key, and `changed: false` the second time.
 * Returns both rounds of outcomes.
 */
export async function checkIdempotentPush(
  session: LmsSession,
  capability: PushCapability,
  items: EnrollmentPush[] | GradePush[],
): Promise<[PushOutcome[], PushOutcome[]]> {
  if (items.length === 0) throw new AssertionError(`${capability}: the push sample is empty`);
  const signal = new AbortController().signal;
  const first = await push(session, capability, items, signal);
  checkOutcomes(capability, items, first, 'first');
  const second = await push(session, capability, items, signal);
  checkOutcomes(capability, items, second, 'second');
  return [first, second];
}
