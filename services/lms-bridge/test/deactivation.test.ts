import { type District, generateDistrict } from '@mathnet/connector-oneroster/test-double';
import type { EntityOf, EntityType } from '@mathnet/lms-sdk';
import { expect } from 'chai';
import { and, count, eq } from 'drizzle-orm';
import { loadConnectors } from '../src/connectors/load-connectors';
import type { BridgeService } from '../src/service';
import { mappings } from '../src/store/schema';
import {
  type BridgeHarness,
  importDistrict,
  type runRow,
  runSucceeded,
  startBridge,
  stopPartwayAndRestart,
} from './bridge-harness';

const full = generateDistrict({
  students: 300,
  teachers: 20,
  classes: 10,
  enrollments: 1500,
  sessions: 2,
  courses: 4,
  seed: 11,
});

/** The district a term later: some students left (with their enrollments), every other student renamed. */
function later(district: District): District {
  const gone = new Set<string>();
  let n = 0;
  for (const u of district.records('users')) {
    if (u.roles.some((r) => r.role === 'student') && n++ % 25 === 3) gone.add(u.sourcedId);
  }
  const records = <T extends EntityType>(entity: T): Iterable<EntityOf<T>> => {
    const all = [...district.records(entity)] as EntityOf<T>[];
    if (entity === 'users') {
      return (all as EntityOf<'users'>[])
        .filter((u) => !gone.has(u.sourcedId))
        .map((u, i) => (i % 2 === 0 ? { ...u, givenName: `${u.givenName}а` } : u)) as EntityOf<T>[];
    }
    if (entity === 'enrollments')
      return (all as EntityOf<'enrollments'>[]).filter((e) => !gone.has(e.userSourcedId)) as EntityOf<T>[];
    if (entity === 'results')
      return (all as EntityOf<'results'>[]).filter((r) => !gone.has(r.studentSourcedId)) as EntityOf<T>[];
    return all;
  };
  return { ...district, records };
}

const schoolA = '01890000-0000-7000-8000-00000000000a';
const schoolB = '01890000-0000-7000-8000-00000000000b';
const pageSize = 20;

describe('a bulk import deactivates what disappeared from the LMS', function () {
  this.timeout(180_000);
  let h: BridgeHarness;
  let second: BridgeService | undefined;
  let admin: string;

  before(async () => {
    h = await startBridge('deactivation', await loadConnectors(['oneroster']), undefined, pageSize);
    admin = h.tokenFor('01890000-0000-7000-8000-000000000001', [
      { role: 'network_admin', organisationId: schoolA },
    ]);
  });
  after(async () => {
    await second?.close();
    await h?.close();
  });

  const connect = async (organisationId: string) =>
    (await h.call('POST', '/v1/connections', admin, { organisationId, connector: 'oneroster' })).body
      .id as string;
  const queue = async (connectionId: string, district: District) =>
    (await importDistrict(h, admin, { connectionId }, district)).runId;
  const succeeded = (runId: string) => runSucceeded(h, runId);
  const active = async (connectionId: string, entity: string) =>
    (
      await h.database.db
        .select({ n: count() })
        .from(mappings)
        .where(
          and(
            eq(mappings.connectionId, connectionId),
            eq(mappings.entity, entity),
            eq(mappings.active, true),
          ),
        )
    )[0]!.n;
  const inactiveFacts = (runId: string, key: 'people' | 'enrollments') =>
    h.events.events
      .filter((e) => (e.data as { runId?: string }).runId === runId)
      .flatMap((e) => (e.data as Record<string, { id: string; active: boolean }[]>)[key] ?? [])
      .filter((f) => !f.active)
      .map((f) => f.id);

  const smaller = later(full);
  const leftUsers = [...smaller.records('users')].length;
  const leftEnrollments = [...smaller.records('enrollments')].length;
  const goneUsers = full.counts.users - leftUsers;
  const goneEnrollments = full.counts.enrollments - leftEnrollments;
  let reference: Awaited<ReturnType<typeof runRow>>;

  it('deactivates the users and enrollments a later bulk file no longer has, once', async () => {
    expect(goneUsers).to.be.greaterThan(0);
    const connectionId = await connect(schoolA);
    await succeeded(await queue(connectionId, full));
    const runId = await queue(connectionId, smaller);
    reference = await succeeded(runId);
    expect(reference.counts.deactivated).to.equal(goneUsers + goneEnrollments);
    expect(reference.counts.failed).to.equal(0);
    expect(await active(connectionId, 'user')).to.equal(leftUsers);
    expect(await active(connectionId, 'enrollment')).to.equal(leftEnrollments);
    await h.events.waitFor(
      (e) => e.type === 'mathnet.lms.sync.completed' && (e.data as { runId: string }).runId === runId,
    );
    expect(new Set(inactiveFacts(runId, 'people')).size).to.equal(goneUsers);
    expect(new Set(inactiveFacts(runId, 'enrollments')).size).to.equal(goneEnrollments);

    const again = await succeeded(await queue(connectionId, smaller));
    expect(again.counts).to.include({ created: 0, updated: 0, deactivated: 0, failed: 0 });
  });

  it('reaches the same state when the run is interrupted and resumed', async () => {
    const connectionId = await connect(schoolB);
    await succeeded(await queue(connectionId, full));
    const runId = await queue(connectionId, smaller);
    // Stop the bridge once some pages of renamed users are applied.
    const { interrupted, restarted } = await stopPartwayAndRestart(
      h,
      runId,
      (row) => (row.checkpoint['pullRoster:users'] ?? 0) >= 3,
      pageSize,
    );
    second = restarted;
    expect(interrupted.status).to.equal('running');
    expect(interrupted.counts.deactivated).to.equal(0);

    const resumed = await succeeded(runId);
    expect(resumed.attempts).to.equal(2);
    expect(resumed.counts).to.deep.equal(reference.counts);
    expect(await active(connectionId, 'user')).to.equal(leftUsers);
    expect(await active(connectionId, 'enrollment')).to.equal(leftEnrollments);
    await h.events.waitFor(
      (e) => e.type === 'mathnet.lms.sync.completed' && (e.data as { runId: string }).runId === runId,
    );
    const people = inactiveFacts(runId, 'people');
    expect(new Set(people).size).to.equal(people.length);
    expect(people.length).to.equal(goneUsers);
    expect(inactiveFacts(runId, 'enrollments').length).to.equal(goneEnrollments);
  });
});
