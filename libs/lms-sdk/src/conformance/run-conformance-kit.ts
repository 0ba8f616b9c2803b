import { AssertionError } from 'chai';
import { AuthFailedError, LmsUnavailableError } from '../errors';
import { checkCancellation } from './check-cancellation';
import { checkCapabilities, checkDefinition } from './check-definition';
import { checkRateLimited, expectConnectorError } from './check-errors';
import { checkIdempotentPush, type PushCapability } from './check-idempotent-push';
import { checkWebhook } from './check-webhook';
import {
  type CollectedPull,
  checkMinRecords,
  checkPaging,
  checkSameRecords,
  checkUniqueSourcedIds,
  collectPull,
  pullCapabilities,
  startPull,
} from './collect-pull';
import type { ConformanceConfig, ConformanceOptions } from './conformance-options';
import { checkNoSecretsInError, type OpenedSession, openSession } from './open-session';

/** Opens a session on a fresh configuration, runs `body`, then closes both (and checks the logs for secrets). */
async function withSession<T>(
  options: ConformanceOptions,
  configure: () => Promise<ConformanceConfig>,
  body: (opened: OpenedSession, config: ConformanceConfig) => Promise<T>,
): Promise<T> {
  const config = await configure();
  const opened = await openSession(options.connector, config);
  let result: T;
  try {
    result = await body(opened, config);
  } catch (error) {
    await opened.close().catch(() => undefined);
    throw error;
  }
  await opened.close();
  return result;
}

/**
 * Registers the conformance suite of one connector with mocha (`describe`/`it`
 * globals): call it at the top level of a test file of the connector package,
 * against the connector's test double. The rules are in docs/connectors.md.
 */
export function runConformanceKit(options: ConformanceOptions): void {
  const { connector } = options;
  const declared = Array.isArray(connector?.capabilities) ? connector.capabilities : [];
  const pulls = pullCapabilities.filter((c) => declared.includes(c));
  const pushes = (['enrollments.push', 'grades.push'] as const).filter((c) => declared.includes(c));
  const pageSize = options.pageSize ?? 2;
  const maxPageSize = options.maxPageSize ?? pageSize;

  describe(options.title ?? `conformance: ${connector?.id ?? 'connector'}`, function () {
    this.timeout(options.timeoutMs ?? 20_000);

    it('declares a valid definition (id, displayName, zod schemas that describe as JSON Schema)', () => {
      checkDefinition(connector);
    });

    it('implements exactly the methods of the declared capabilities', () =>
      withSession(options, options.connect, async ({ session }) => checkCapabilities(connector, session)));

    it('test() resolves with the working configuration', () =>
      withSession(options, options.connect, async ({ session }) => {
        const about = await session.test(new AbortController().signal);
        if (!about || typeof about !== 'object')
          throw new AssertionError('test() must resolve with an object');
      }));

    const errorCase = (
      title: string,
      configure: (() => Promise<ConformanceConfig>) | undefined,
      expected: typeof AuthFailedError | typeof LmsUnavailableError,
    ) => {
      if (!configure) {
        it(`${title} (not checked: no configuration given)`);
        return;
      }
      it(title, () =>
        withSession(options, configure, async ({ session, secrets }, config) => {
          const signal = new AbortController().signal;
          const error = await expectConnectorError(session.test(signal), expected, 'test()');
          checkNoSecretsInError(error, secrets);
          // A file import (a configuration with a source) reads no LMS, so only test() can fail.
          for (const capability of config.source ? [] : pulls) {
            const iterator = startPull(session, capability, { signal, pageSize });
            const pullError = await expectConnectorError(
              iterator.next(),
              expected,
              `${capability} first page`,
            );
            checkNoSecretsInError(pullError, secrets);
          }
        }),
      );
    };
    errorCase('rejects bad credentials with AuthFailedError', options.badCredentials, AuthFailedError);
    errorCase(
      'rejects with LmsUnavailableError when the LMS is down',
      options.unavailable,
      LmsUnavailableError,
    );

    if (options.rateLimited) {
      const rateLimited = options.rateLimited;
      it('against a rate-limiting LMS, succeeds after waiting or rejects with RateLimitedError', () =>
        withSession(options, rateLimited, async ({ session }, config) => {
          const signal = new AbortController().signal;
          await checkRateLimited(session.test(signal), 'test()');
          for (const capability of pulls) {
            await checkRateLimited(
              collectPull(session, capability, { source: config.source, pageSize }),
              capability,
            );
          }
        }));
    } else {
      it(
        'against a rate-limiting LMS, succeeds after waiting or rejects with RateLimitedError (not checked: no configuration given)',
      );
    }

    for (const capability of pulls) {
      describe(capability, () => {
        const pullOnce = (config: ConformanceConfig, opened: OpenedSession, size?: number) =>
          collectPull(opened.session, capability, { source: config.source, pageSize: size });

        it('delivers valid records, rejected entries with reasons, entity types in order, unique sourcedIds', () =>
          withSession(options, options.connect, async (opened, config) => {
            checkUniqueSourcedIds(await pullOnce(config, opened));
          }));

        it(`pages: with pageSize ${pageSize}, one entity type spans several pages of at most ${maxPageSize} records, and the same records arrive`, () =>
          withSession(options, options.connect, async (opened, config) => {
            const paged = await pullOnce(config, opened, pageSize);
            checkPaging(paged, maxPageSize);
            checkUniqueSourcedIds(paged);
            checkSameRecords(await pullOnce(config, opened), paged);
          }));

        it('stops promptly with an AbortError when the signal aborts, and delivers no further page', () =>
          withSession(options, options.connect, async (opened, config) =>
            checkCancellation(opened.session, capability, { source: config.source, pageSize }),
          ));
      });
    }
    if (pulls.length > 0) {
      it('the pulls deliver the expected numbers of records', () =>
        withSession(options, options.connect, async (opened, config) => {
          const all: CollectedPull[] = [];
          for (const capability of pulls) {
            all.push(await collectPull(opened.session, capability, { source: config.source }));
          }
          checkMinRecords(all, options.minRecords);
        }));
    }

    for (const capability of pushes) {
      it(`${capability} is idempotent: the same items twice give ok both times, changed: false the second`, () =>
        withSession(options, options.connect, async ({ session }) => {
          const items = sampleOf(options, capability);
          await checkIdempotentPush(session, capability, items);
        }));
    }

    if (declared.includes('webhooks')) {
      it('handles webhooks: sync only declared pulls; malformed calls give a ConnectorError', () =>
        withSession(options, options.connect, async ({ session }) =>
          checkWebhook(connector, session, options.webhookSample),
        ));
    }
  });
}

function sampleOf(options: ConformanceOptions, capability: PushCapability) {
  const items =
    capability === 'enrollments.push' ? options.pushSample?.enrollments : options.pushSample?.grades;
  const key = capability === 'enrollments.push' ? 'enrollments' : 'grades';
  if (!items || items.length === 0) {
    throw new AssertionError(`${capability} is declared: give runConformanceKit a pushSample.${key} to push`);
  }
  return items;
}
