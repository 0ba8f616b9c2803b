import { expect } from 'chai';
import { AuthFailedError, ConnectorError, LmsUnavailableError, RateLimitedError } from './errors';
import { delay, pageArray, throwIfAborted, validateRecords, withRetry } from './paging';

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('paging helpers', () => {
  describe('pageArray', () => {
    it('splits records into pages of at most pageSize', async () => {
      expect(await collect(pageArray([1, 2, 3, 4, 5], 2))).to.deep.equal([[1, 2], [3, 4], [5]]);
      expect(await collect(pageArray([1, 2], 5))).to.deep.equal([[1, 2]]);
      expect(await collect(pageArray([], 3))).to.deep.equal([]);
    });

    it('refuses a page size that is not a positive integer', async () => {
      expect(await rejection(collect(pageArray([1], 0)))).to.be.instanceOf(RangeError);
      expect(await rejection(collect(pageArray([1], 1.5)))).to.be.instanceOf(RangeError);
    });
  });

  describe('validateRecords', () => {
    it('keeps valid records with the schema defaults applied', () => {
      const { records, rejected } = validateRecords('orgs', [
        { sourcedId: 'o1', name: 'School 1', type: 'school' },
      ]);
      expect(rejected).to.deep.equal([]);
      expect(records).to.deep.equal([
        { sourcedId: 'o1', status: 'active', name: 'School 1', type: 'school' },
      ]);
    });

    it('rejects invalid records with a reason naming each field, the sourcedId and where they came from', () => {
      const raw = [
        {
          sourcedId: 'u1',
          givenName: 'Anna',
          familyName: 'P',
          roles: [{ role: 'student', orgSourcedId: 'o1' }],
        },
        { sourcedId: 'u2', givenName: 'Boris', roles: [{ role: 'wizard', orgSourcedId: 'o1' }] },
        null,
      ];
      const { records, rejected } = validateRecords('users', raw, { file: 'users.csv', firstLine: 2 });
      expect(records.map((r) => r.sourcedId)).to.deep.equal(['u1']);
      expect(rejected).to.have.length(2);
      expect(rejected[0]).to.include({ entity: 'users', sourcedId: 'u2', file: 'users.csv', line: 3 });
      expect(rejected[0]!.reason).to.match(/^familyName: .*; roles\.0\.role: /);
      expect(rejected[1]).to.include({ entity: 'users', file: 'users.csv', line: 4 });
      expect(rejected[1]).to.not.have.property('sourcedId');
      expect(rejected[1]!.reason).to.match(/^\(record\): /);
    });
  });

  describe('withRetry', () => {
    it('retries LmsUnavailableError with backoff and returns the first success', async () => {
      const attempts: number[] = [];
      const result = await withRetry(
        async (attempt) => {
          attempts.push(attempt);
          if (attempt < 3) throw new LmsUnavailableError();
          return 'ok';
        },
        { baseDelayMs: 1 },
      );
      expect(result).to.equal('ok');
      expect(attempts).to.deep.equal([1, 2, 3]);
    });

    it('rethrows the last error when the attempts run out, and other errors at once', async () => {
      let calls = 0;
      const unavailable = await rejection(
        withRetry(
          async () => {
            calls++;
            throw new LmsUnavailableError(`call ${calls}`);
          },
          { attempts: 2, baseDelayMs: 1 },
        ),
      );
      expect((unavailable as Error).message).to.equal('call 2');
      calls = 0;
      const auth = await rejection(
        withRetry(async () => {
          calls++;
          throw new AuthFailedError();
        }),
      );
      expect(auth).to.be.instanceOf(AuthFailedError);
      expect(calls).to.equal(1);
    });

    it('waits retryAfterMs on RateLimitedError, and rethrows a limit longer than maxDelayMs', async () => {
      let calls = 0;
      const started = performance.now();
      await withRetry(async () => {
        if (calls++ === 0) throw new RateLimitedError(40);
      });
      expect(performance.now() - started).to.be.at.least(35);
      const long = await rejection(
        withRetry(
          async () => {
            throw new RateLimitedError(60_000);
          },
          { maxDelayMs: 1000 },
        ),
      );
      expect(long).to.be.instanceOf(RateLimitedError);
    });

    it('an abort while waiting rejects promptly with the signal reason', async () => {
      const controller = new AbortController();
      const reason = new Error('stopped by the bridge');
      const started = performance.now();
      const pending = withRetry(
        async () => {
          queueMicrotask(() => controller.abort(reason));
          throw new RateLimitedError(10_000);
        },
        { signal: controller.signal },
      );
      expect(await rejection(pending)).to.equal(reason);
      expect(performance.now() - started).to.be.below(1000);
    });

    it('does not call fn with an aborted signal, and never retries what an abort made of a call', async () => {
      const controller = new AbortController();
      controller.abort();
      let calls = 0;
      const before = await rejection(withRetry(async () => calls++, { signal: controller.signal }));
      expect((before as Error).name).to.equal('AbortError');
      expect(calls).to.equal(0);

      const during = new AbortController();
      const error = await rejection(
        withRetry(
          async () => {
            calls++;
            during.abort();
            throw new LmsUnavailableError('fetch failed');
          },
          { signal: during.signal },
        ),
      );
      expect(error).to.equal(during.signal.reason);
      expect(calls).to.equal(1);
    });
  });

  it('delay resolves after the time, or rejects with the abort reason; throwIfAborted throws the reason', async () => {
    await delay(1);
    const controller = new AbortController();
    const pending = delay(10_000, controller.signal);
    controller.abort('bye');
    expect(await rejection(pending)).to.equal('bye');
    let thrown: unknown;
    try {
      throwIfAborted(controller.signal);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.equal('bye');
    throwIfAborted(undefined);
    throwIfAborted(new AbortController().signal);
  });
});

describe('connector errors across copies of the SDK', () => {
  const brand = Symbol.for('@mathnet/lms-sdk/ConnectorError');
  const fromOtherCopy = (code: string) => Object.assign(new Error('x'), { code, [brand]: true });

  it('instanceof matches an error of another copy by its code', () => {
    const auth = fromOtherCopy('auth_failed');
    expect(auth).to.be.instanceOf(ConnectorError);
    expect(auth).to.be.instanceOf(AuthFailedError);
    expect(auth).to.not.be.instanceOf(LmsUnavailableError);
    expect(Object.assign(new Error('x'), { code: 'auth_failed' })).to.not.be.instanceOf(AuthFailedError);
  });

  it("a connector's own subclass matches by prototype only", () => {
    class TokenExpiredError extends AuthFailedError {}
    expect(new TokenExpiredError()).to.be.instanceOf(AuthFailedError).and.instanceOf(TokenExpiredError);
    expect(new AuthFailedError()).to.not.be.instanceOf(TokenExpiredError);
    expect(fromOtherCopy('auth_failed')).to.not.be.instanceOf(TokenExpiredError);
  });
});
