import {
  AuthFailedError,
  type EnrollmentPush,
  LmsUnavailableError,
  type PushOutcome,
  RateLimitedError,
  z,
} from '@mathnet/lms-sdk';
import {
  checkIdempotentPush,
  checkNoSecretsInError,
  checkRateLimited,
  checkWebhook,
  expectConnectorError,
  openSession,
} from '@mathnet/lms-sdk/conformance';
import { expect } from 'chai';
import { expectFailure, goodPull, memoryConnector, session } from './memory-connector';

const items: EnrollmentPush[] = [
  { key: 'e1', classSourcedId: 'c1', userSourcedId: 'u1', role: 'student', status: 'active' },
  { key: 'e2', classSourcedId: 'c1', userSourcedId: 'u2', role: 'student', status: 'active' },
];

describe('conformance checks: pushes, errors, webhooks, secrets', () => {
  it('passes an idempotent push and fails one that changes the LMS twice, or fails an item', async () => {
    const seen = new Set<string>();
    const idempotent = memoryConnector(['enrollments.push'], {
      pushEnrollments: async (list) =>
        list.map((item): PushOutcome => {
          const changed = !seen.has(item.key);
          seen.add(item.key);
          return { key: item.key, ok: true, changed };
        }),
    });
    const [first, second] = await checkIdempotentPush(session(idempotent), 'enrollments.push', items);
    expect(first.map((o) => o.ok && o.changed)).to.deep.equal([true, true]);
    expect(second.map((o) => o.ok && o.changed)).to.deep.equal([false, false]);

    const always = memoryConnector(['enrollments.push'], {
      pushEnrollments: async (list) => list.map((item) => ({ key: item.key, ok: true, changed: true })),
    });
    await expectFailure(
      () => checkIdempotentPush(session(always), 'enrollments.push', items),
      /pushing e1 a second time changed the LMS again/,
    );
    const conflicting = memoryConnector(['enrollments.push'], {
      pushEnrollments: async (list) =>
        list.map((item) => ({ key: item.key, ok: false, error: 'already enrolled', retryable: false })),
    });
    await expectFailure(
      () => checkIdempotentPush(session(conflicting), 'enrollments.push', items),
      /\(first push\): e1 failed: already enrolled/,
    );
    const short = memoryConnector(['enrollments.push'], { pushEnrollments: async () => [] });
    await expectFailure(
      () => checkIdempotentPush(session(short), 'enrollments.push', items),
      /one outcome per item \(2\), got 0/,
    );
  });

  it('expects typed errors: plain errors, resolutions and the wrong type fail', async () => {
    const auth = await expectConnectorError(Promise.reject(new AuthFailedError()), AuthFailedError, 'test()');
    expect(auth.code).to.equal('auth_failed');
    await expectFailure(
      () => expectConnectorError(Promise.reject(new Error('401')), AuthFailedError, 'test()'),
      /expected AuthFailedError, got Error: 401; throw the SDK's typed errors, never plain errors/,
    );
    await expectFailure(
      () => expectConnectorError(Promise.resolve({}), AuthFailedError, 'test()'),
      /test\(\): expected a rejection with AuthFailedError, but it resolved/,
    );
    await expectFailure(
      () => expectConnectorError(Promise.reject(new LmsUnavailableError()), AuthFailedError, 'test()'),
      /expected AuthFailedError, got LmsUnavailableError/,
    );
  });

  it('accepts success or RateLimitedError with a positive retryAfterMs against a rate-limiting LMS', async () => {
    expect(await checkRateLimited(Promise.resolve(), 'test()')).to.equal('succeeded');
    expect(await checkRateLimited(Promise.reject(new RateLimitedError(500)), 'test()')).to.equal(
      'rate-limited',
    );
    await expectFailure(
      () => checkRateLimited(Promise.reject(new RateLimitedError(0)), 'test()'),
      /retryAfterMs must be a positive number, got 0/,
    );
    await expectFailure(
      () => checkRateLimited(Promise.reject(new Error('429')), 'test()'),
      /expected success or RateLimitedError, got Error: 429/,
    );
  });

  it('fails webhooks that crash on malformed calls or ask to sync undeclared capabilities', async () => {
    const crashing = memoryConnector(['roster.pull', 'webhooks'], {
      pullRoster: goodPull(),
      handleWebhook: async (body) => ({
        sync: (body as { kind: string }).kind === 'x' ? [] : ['roster.pull'],
      }),
    });
    await expectFailure(
      () => checkWebhook(crashing, session(crashing)),
      /malformed webhook \(null\) must reject with a ConnectorError/,
    );
    const greedy = memoryConnector(['roster.pull', 'webhooks'], {
      pullRoster: goodPull(),
      handleWebhook: async () => ({ sync: ['grades.pull'] }),
    });
    await expectFailure(
      () => checkWebhook(greedy, session(greedy)),
      /asks to sync grades.pull, which is not a declared pull/,
    );
    const strict = memoryConnector(['roster.pull', 'webhooks'], {
      pullRoster: goodPull(),
      handleWebhook: async (_body, headers) => {
        if (headers['x-sign'] !== 'ok') throw new AuthFailedError('bad signature');
        return { sync: ['roster.pull'] };
      },
    });
    await checkWebhook(strict, session(strict), {
      body: {},
      headers: { 'x-sign': 'ok' },
      expectSync: ['roster.pull'],
    });
  });

  it('fails a connector that logs a secret or puts one in an error message', async () => {
    const logging = memoryConnector(['roster.pull'], { pullRoster: goodPull() });
    const chatty = {
      ...logging,
      connect: (options: Parameters<typeof logging.connect>[0]) => {
        options.logger?.info('connecting', { token: (options.secrets as { token: string }).token });
        return logging.connect(options);
      },
    };
    const opened = await openSession(chatty, { settings: {}, secrets: { token: 'tok-secret-1' } });
    expect(opened.logs).to.have.length(1);
    await expectFailure(() => opened.close(), /a secret value was logged \(info: "connecting"\)/);

    const error = new AuthFailedError('token tok-secret-1 refused');
    await expectFailure(
      () => checkNoSecretsInError(error, { token: 'tok-secret-1' }),
      /contains a secret value/,
    );
    checkNoSecretsInError(new AuthFailedError('token refused'), { token: 'tok-secret-1' });
  });

  it('fails a configuration whose settings or secrets do not pass the schemas, without quoting secrets', async () => {
    const definition = {
      ...memoryConnector(['roster.pull'], { pullRoster: goodPull() }),
      secretsSchema: z.object({ token: z.string().min(20) }),
    };
    await expectFailure(
      () => openSession(definition, { settings: { url: 42 }, secrets: { token: 'short-secret' } }),
      /settings do not pass settingsSchema/,
    );
    let message = '';
    await expectFailure(async () => {
      try {
        await openSession(definition, { settings: {}, secrets: { token: 'short-secret' } });
      } catch (error) {
        message = (error as Error).message;
        throw error;
      }
    }, /secrets do not pass secretsSchema \(fields: token\)/);
    expect(message).to.not.include('short-secret');
  });
});
