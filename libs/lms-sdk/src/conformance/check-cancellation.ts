import { AssertionError } from 'chai';
import type { LmsSession, PulledPage, PullOptions } from '../connector';
import { ConnectorError } from '../errors';
import { isAbortError, within } from './check-errors';
import { type PullCapability, startPull } from './collect-pull';

/** Options of {@link checkCancellation}: pull options without the signal, plus how prompt is prompt. */
export interface CancellationOptions extends Omit<Partial<PullOptions>, 'signal'> {
  /** How long the pull may take to stop after the abort (default 2000 ms). */
  promptMs?: number;
}

async function expectAbortRejection(
  next: Promise<IteratorResult<PulledPage>>,
  signal: AbortSignal,
  promptMs: number,
  what: string,
): Promise<void> {
  let outcome: IteratorResult<PulledPage> | undefined;
  try {
    outcome = await within(next, promptMs, what);
  } catch (error) {
    if (isAbortError(error, signal)) return;
    if (error instanceof AssertionError) throw error;
    if (error instanceof ConnectorError) {
      throw new AssertionError(
        `${what}: rejected with ${error.name} instead of the abort; rethrow abort errors as they are (they are not LMS failures)`,
      );
    }
    throw new AssertionError(
      `${what}: expected an AbortError (or the signal's reason), got ${String(error)}`,
    );
  }
  if (outcome.done)
    throw new AssertionError(`${what}: the pull finished silently; it must reject with an AbortError`);
  throw new AssertionError(`${what}: a page (${outcome.value.entity}) arrived after the abort`);
}

/**
 * The cancellation rule: once the pull's signal is aborted, the pull rejects
 * with an AbortError (or the signal's reason) within `promptMs` and delivers no
 * further page. Checked three ways: aborted after the first page, aborted while
 * the first page is in flight, and aborted before the pull starts. Use a small
 * `pageSize` so the pull has pages left after the first.
 */
export async function checkCancellation(
  session: LmsSession,
  capability: PullCapability,
  options: CancellationOptions = {},
): Promise<void> {
  const { promptMs = 2000, ...pullOptions } = options;

  const afterFirst = new AbortController();
  const iterator = startPull(session, capability, { ...pullOptions, signal: afterFirst.signal });
  const first = await within(iterator.next(), 10_000, `${capability}: the first page`);
  if (first.done) throw new AssertionError(`${capability} yielded no page; cannot check cancellation`);
  afterFirst.abort();
  await expectAbortRejection(
    iterator.next(),
    afterFirst.signal,
    promptMs,
    `${capability} aborted after the first page`,
  );
  const after = await within(
    iterator.next().catch(() => ({ done: true, value: undefined })),
    promptMs,
    `${capability}: next() after the abort`,
  );
  if (!after.done)
    throw new AssertionError(`${capability}: a page arrived after the pull rejected with the abort`);

  const inFlight = new AbortController();
  const second = startPull(session, capability, { ...pullOptions, signal: inFlight.signal });
  const pending = second.next();
  inFlight.abort();
  let delivered = false;
  try {
    const outcome = await within(
      pending,
      promptMs,
      `${capability} aborted while the first page was in flight`,
    );
    // The page may have been ready before the abort; then the next call must reject.
    if (outcome.done) throw new AssertionError(`${capability} aborted in flight: the pull finished silently`);
    delivered = true;
  } catch (error) {
    if (error instanceof AssertionError) throw error;
    if (!isAbortError(error, inFlight.signal)) {
      throw new AssertionError(
        `${capability} aborted in flight: expected an AbortError, got ${String(error)}`,
      );
    }
  }
  if (delivered) {
    await expectAbortRejection(
      second.next(),
      inFlight.signal,
      promptMs,
      `${capability} aborted in flight (next page)`,
    );
  }

  const before = new AbortController();
  before.abort();
  const third = startPull(session, capability, { ...pullOptions, signal: before.signal });
  await expectAbortRejection(
    third.next(),
    before.signal,
    promptMs,
    `${capability} started with an aborted signal`,
  );
}
