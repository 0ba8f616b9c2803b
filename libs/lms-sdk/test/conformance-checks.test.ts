import { setImmediate as tick } from 'node:timers/promises';
import {
  type ConnectorDefinition,
  LmsUnavailableError,
  type PulledPage,
  type PullOptions,
  pageArray,
  throwIfAborted,
  z,
} from '@mathnet/lms-sdk';
import {
  checkCancellation,
  checkCapabilities,
  checkDefinition,
  checkMinRecords,
  checkPaging,
  checkSameRecords,
  checkUniqueSourcedIds,
  collectPull,
} from '@mathnet/lms-sdk/conformance';
import { expect } from 'chai';
import { expectFailure, goodPull, memoryConnector, session, users } from './memory-connector';

/*
 * The kit's checks against deliberately broken in-memory connectors: each
 * breakage makes the matching check fail with a message that says what to fix.
 */

describe('conformance checks', () => {
  it('a well-behaved in-memory connector passes every check', async () => {
    const definition = memoryConnector(['roster.pull'], { pullRoster: goodPull() });
    checkDefinition(definition);
    const s = session(definition);
    checkCapabilities(definition, s);
    const full = await collectPull(s, 'roster.pull');
    const paged = await collectPull(s, 'roster.pull', { pageSize: 2 });
    expect(paged.pages.map((p) => p.records.length)).to.deep.equal([2, 2, 1]);
    checkPaging(paged, 2);
    checkUniqueSourcedIds(paged);
    checkSameRecords(full, paged);
    checkMinRecords([full], { users: 5 });
    await checkCancellation(s, 'roster.pull', { pageSize: 2 });
  });

  describe('definition and capabilities', () => {
    it('fails a session that lacks a declared method, or has an undeclared one', async () => {
      const missing = memoryConnector(['roster.pull', 'enrollments.push'], { pullRoster: goodPull() });
      await expectFailure(
        () => checkCapabilities(missing, session(missing)),
        /declares enrollments.push but the session has no pushEnrollments/,
      );
      const extra = memoryConnector(['roster.pull'], { pullRoster: goodPull(), pullGrades: goodPull() });
      await expectFailure(
        () => checkCapabilities(extra, session(extra)),
        /implements pullGrades\(\) but does not declare/,
      );
    });

    it('fails a bad id, a missing displayName, non-zod schemas and secret-looking settings', async () => {
      const base = memoryConnector(['roster.pull'], { pullRoster: goodPull() });
      await expectFailure(
        () => checkDefinition({ ...base, id: 'My LMS' }),
        /connector id must be lower-case/,
      );
      await expectFailure(() => checkDefinition({ ...base, displayName: ' ' }), /displayName/);
      await expectFailure(() => checkDefinition({ ...base, capabilities: [] }), /at least one capability/);
      const notZod = { ...base, settingsSchema: { parse: () => ({}) } } as unknown as ConnectorDefinition;
      await expectFailure(() => checkDefinition(notZod), /settingsSchema must be a zod schema/);
      const leaky = { ...base, settingsSchema: z.object({ url: z.string(), clientSecret: z.string() }) };
      await expectFailure(
        () => checkDefinition(leaky),
        /clientSecret look like secrets; move them to secretsSchema/,
      );
      checkDefinition({ ...base, settingsSchema: z.object({ tokenUrl: z.url() }) });
    });
  });

  describe('pulls', () => {
    it('fails a record that does not pass its entity schema, naming the field', async () => {
      const broken = [...users.slice(0, 2), { ...users[2], familyName: '' }];
      const s = session(memoryConnector(['roster.pull'], { pullRoster: goodPull(broken) }));
      await expectFailure(
        () => collectPull(s, 'roster.pull'),
        /\(users\) record #3 u3 is not a valid users record: familyName:/,
      );
    });

    it('fails rejected entries without a reason, entity types out of order, and entities the capability cannot deliver', async () => {
      const pages = (list: PulledPage[]) =>
        async function* (): AsyncGenerator<PulledPage> {
          yield* list;
        };
      const noReason: PulledPage = {
        entity: 'users',
        records: [],
        rejected: [{ entity: 'users', reason: '' }],
        mode: 'bulk',
      };
      const s1 = session(memoryConnector(['roster.pull'], { pullRoster: pages([noReason]) }));
      await expectFailure(() => collectPull(s1, 'roster.pull'), /rejected #1 has no reason/);
      const org = { sourcedId: 'o1', status: 'active', name: 'School', type: 'school' } as const;
      const usersFirst = pages([
        { entity: 'users', records: users, rejected: [], mode: 'bulk' },
        { entity: 'orgs', records: [org], rejected: [], mode: 'bulk' },
      ]);
      const s2 = session(memoryConnector(['roster.pull'], { pullRoster: usersFirst }));
      await expectFailure(() => collectPull(s2, 'roster.pull'), /orgs arrived after users/);
      const s3 = session(memoryConnector(['grades.pull'], { pullGrades: goodPull() }));
      await expectFailure(
        () => collectPull(s3, 'grades.pull'),
        /grades.pull may deliver lineItems, results, not users/,
      );
    });

    it('fails a connector that ignores pageSize, or pages without ever splitting an entity', async () => {
      const ignoring = async function* (): AsyncGenerator<PulledPage> {
        yield { entity: 'users', records: users, rejected: [], mode: 'bulk' };
      };
      const s = session(memoryConnector(['roster.pull'], { pullRoster: ignoring }));
      const pull = await collectPull(s, 'roster.pull', { pageSize: 2 });
      await expectFailure(() => checkPaging(pull, 2), /holds 5 records; the page size asked was 2/);
      await expectFailure(() => checkPaging(pull, 50), /no entity type arrived in several pages/);
    });

    it('fails duplicate sourcedIds in a bulk pull, and paging that loses records', async () => {
      const s = session(memoryConnector(['roster.pull'], { pullRoster: goodPull([...users, users[0]]) }));
      await expectFailure(
        async () => checkUniqueSourcedIds(await collectPull(s, 'roster.pull')),
        /u1 was delivered twice/,
      );
      // Off by one: drops the last page when paging.
      const lossy = async function* (options: PullOptions): AsyncGenerator<PulledPage> {
        const all: PulledPage[] = [];
        for await (const page of goodPull()(options)) all.push(page);
        yield* options.pageSize ? all.slice(0, -1) : all;
      };
      const s2 = session(memoryConnector(['roster.pull'], { pullRoster: lossy }));
      const full = await collectPull(s2, 'roster.pull');
      const paged = await collectPull(s2, 'roster.pull', { pageSize: 2 });
      await expectFailure(
        () => checkSameRecords(full, paged),
        /paging changed the users delivered \(missing u5/,
      );
    });

    it('fails when the pulls deliver too few records', async () => {
      const s = session(memoryConnector(['roster.pull'], { pullRoster: goodPull([]) }));
      const pull = await collectPull(s, 'roster.pull');
      await expectFailure(() => checkMinRecords([pull], undefined), /roster.pull delivered no record/);
      await expectFailure(
        () => checkMinRecords([pull], { users: 1 }),
        /expected at least 1 users, the pulls delivered 0/,
      );
    });
  });

  describe('cancellation', () => {
    it('fails a pull that ignores the abort and keeps delivering', async () => {
      const deaf = async function* ({ pageSize = 100 }: PullOptions): AsyncGenerator<PulledPage> {
        for await (const page of pageArray(users, pageSize)) {
          await tick();
          yield { entity: 'users', records: page, rejected: [], mode: 'bulk' };
        }
      };
      const s = session(memoryConnector(['roster.pull'], { pullRoster: deaf }));
      await expectFailure(
        () => checkCancellation(s, 'roster.pull', { pageSize: 2 }),
        /a page \(users\) arrived after the abort/,
      );
    });

    it('fails a pull that turns the abort into LmsUnavailableError', async () => {
      const wrapping = async function* (options: PullOptions): AsyncGenerator<PulledPage> {
        try {
          yield* goodPull()(options);
        } catch (error) {
          throw new LmsUnavailableError('the LMS call failed', { cause: error });
        }
      };
      const s = session(memoryConnector(['roster.pull'], { pullRoster: wrapping }));
      await expectFailure(
        () => checkCancellation(s, 'roster.pull', { pageSize: 2 }),
        /rejected with LmsUnavailableError instead of the abort/,
      );
    });

    it('fails a pull that stops silently, or hangs after the abort', async () => {
      const silent = async function* ({ signal, pageSize = 100 }: PullOptions): AsyncGenerator<PulledPage> {
        for await (const page of pageArray(users, pageSize)) {
          await tick();
          if (signal.aborted) return;
          yield { entity: 'users', records: page, rejected: [], mode: 'bulk' };
        }
      };
      const s = session(memoryConnector(['roster.pull'], { pullRoster: silent }));
      await expectFailure(() => checkCancellation(s, 'roster.pull', { pageSize: 2 }), /finished silently/);
      const hanging = async function* (options: PullOptions): AsyncGenerator<PulledPage> {
        yield { entity: 'users', records: users.slice(0, 2), rejected: [], mode: 'bulk' };
        await new Promise(() => {}); // a call made without the signal, that never answers
        throwIfAborted(options.signal);
      };
      const s2 = session(memoryConnector(['roster.pull'], { pullRoster: hanging }));
      await expectFailure(
        () => checkCancellation(s2, 'roster.pull', { pageSize: 2, promptMs: 100 }),
        /aborted after the first page did not settle within 100 ms/,
      );
    });
  });
});
