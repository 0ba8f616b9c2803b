import { setImmediate as tick } from 'node:timers/promises';
import {
  type Capability,
  type ConnectorDefinition,
  defineConnector,
  type LmsSession,
  type PulledPage,
  type PullOptions,
  pageArray,
  throwIfAborted,
  type User,
  z,
} from '@mathnet/lms-sdk';
import { expect } from 'chai';

/* In-memory connectors for the tests of the kit's checks. */

export const users: User[] = Array.from({ length: 5 }, (_, i) => ({
  sourcedId: `u${i + 1}`,
  status: 'active',
  enabledUser: true,
  givenName: 'Given',
  familyName: `Family${i + 1}`,
  roles: [{ roleType: 'primary', role: 'student', orgSourcedId: 'o1' }],
  userIds: [],
  agentSourcedIds: [],
  grades: [],
}));

/** A pull that does what the contract asks: pages, I/O between pages, abort honoured. */
export function goodPull(records: unknown[] = users) {
  return async function* ({ signal, pageSize = 100 }: PullOptions): AsyncGenerator<PulledPage> {
    for await (const page of pageArray(records, pageSize)) {
      await tick();
      throwIfAborted(signal);
      yield { entity: 'users', records: page as User[], rejected: [], mode: 'bulk' };
    }
  };
}

export function memoryConnector(
  capabilities: Capability[],
  session: Omit<LmsSession, 'test'>,
): ConnectorDefinition {
  return defineConnector({
    id: 'memory',
    displayName: 'Memory LMS',
    settingsSchema: z.object({ url: z.string().default('memory://') }),
    secretsSchema: z.object({ token: z.string() }),
    capabilities,
    connect: () => ({ test: async () => ({ ok: true }), ...session }),
  });
}

/** Runs `fn` and expects the kit to fail it with a message matching `pattern`. */
export async function expectFailure(fn: () => unknown, pattern: RegExp): Promise<void> {
  let error: unknown;
  try {
    await fn();
  } catch (caught) {
    error = caught;
  }
  expect(error, 'the check passed but should have failed').to.be.instanceOf(Error);
  expect((error as Error).name).to.equal('AssertionError');
  expect((error as Error).message).to.match(pattern);
}

export const session = (definition: ConnectorDefinition) =>
  definition.connect({ settings: {}, secrets: { token: 'x' } });
