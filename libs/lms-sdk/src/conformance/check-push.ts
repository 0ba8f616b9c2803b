import { AssertionError } from 'chai';
import type {
  Capability,
  ConnectorDefinition,
  EnrollmentPush,
  GradePush,
  LmsSession,
  PushOutcome,
  WebhookOutcome,
} from '../connector';
import { ConnectorError } from '../errors';
import type { WebhookSample } from './conformance-options';

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

function checkWebhookOutcome(definition: ConnectorDefinition, outcome: WebhookOutcome, what: string): void {
  if (!outcome || !Array.isArray(outcome.sync))
    throw new AssertionError(`${what}: must resolve with { sync: Capability[] }`);
  for (const c of outcome.sync) {
    if (!definition.capabilities.includes(c) || !c.endsWith('.pull')) {
      throw new AssertionError(`${what}: asks to sync ${c}, which is not a declared pull capability`);
    }
  }
}

/**
 * The webhook rule: a sample call resolves with a `sync` list of declared pull
 * capabilities (equal to `expectSync` when given); a malformed, unsigned call
 * resolves the same way or rejects with a ConnectorError, never a plain error.
 */
export async function checkWebhook(
  definition: ConnectorDefinition,
  session: LmsSession,
  sample?: WebhookSample,
): Promise<void> {
  if (!session.handleWebhook) throw new AssertionError('the session has no handleWebhook()');
  if (sample) {
    const outcome = await session.handleWebhook(sample.body, sample.headers);
    checkWebhookOutcome(definition, outcome, 'the sample webhook');
    if (sample.expectSync) {
      const got = [...outcome.sync].sort();
      const want = [...sample.expectSync].sort() as Capability[];
      if (got.join() !== want.join()) {
        throw new AssertionError(
          `the sample webhook asked to sync [${got.join(', ')}], expected [${want.join(', ')}]`,
        );
      }
    }
  }
  for (const body of [{}, null, 'garbage']) {
    let outcome: WebhookOutcome;
    try {
      outcome = await session.handleWebhook(body, {});
    } catch (error) {
      if (error instanceof ConnectorError) continue;
      throw new AssertionError(
        `a malformed webhook (${JSON.stringify(body)}) must reject with a ConnectorError, got ${String(error)}`,
      );
    }
    checkWebhookOutcome(definition, outcome, `a malformed webhook (${JSON.stringify(body)})`);
  }
}
