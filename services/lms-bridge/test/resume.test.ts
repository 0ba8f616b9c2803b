import { generateDistrict } from '@mathnet/connector-oneroster/test-double';
import { expect } from 'chai';
import { and, count, eq } from 'drizzle-orm';
import { loadConnectors } from '../src/connectors/load-connectors';
import type { BridgeService } from '../src/service';
import { mappings } from '../src/store/schema';
import {
  type BridgeHarness,
  importDistrict,
  runSucceeded,
  startBridge,
  stopPartwayAndRestart,
} from './bridge-harness';

const school = generateDistrict({
  students: 400,
  teachers: 30,
  classes: 12,
  enrollments: 2000,
  sessions: 2,
  courses: 5,
  seed: 7,
});
const schoolA = '01890000-0000-7000-8000-00000000000a';
const schoolB = '01890000-0000-7000-8000-00000000000b';
const pageSize = 40;

describe('a sync run interrupted by the bridge stopping, resumed by the next one', function () {
  this.timeout(180_000);
  let h: BridgeHarness;
  let second: BridgeService | undefined;
  let admin: string;

  before(async () => {
    h = await startBridge('resume', await loadConnectors(['oneroster']), undefined, pageSize);
    admin = h.tokenFor('01890000-0000-7000-8000-000000000001', [
      { role: 'network_admin', organisationId: schoolA },
    ]);
  });
  after(async () => {
    await second?.close();
    await h?.close();
  });

  const importInto = (organisationId: string) => importDistrict(h, admin, { organisationId }, school);
  const mappingCount = async (connectionId: string, entity: string) =>
    (
      await h.database.db
        .select({ n: count() })
        .from(mappings)
        .where(and(eq(mappings.connectionId, connectionId), eq(mappings.entity, entity)))
    )[0]!.n;
  const factIds = (runId: string, key: 'people' | 'classes' | 'enrollments') =>
    h.events.events
      .filter(
        (e) =>
          (e.data as { runId?: string }).runId === runId &&
          Array.isArray((e.data as Record<string, unknown>)[key]),
      )
      .flatMap((e) => ((e.data as Record<string, { id: string }[]>)[key] ?? []).map((f) => f.id));

  it('finishes with the same final state as an uninterrupted run, every fact emitted once', async () => {
    const whole = await importInto(schoolA);
    const reference = await runSucceeded(h, whole.runId);

    const cut = await importInto(schoolB);
    // Stop the bridge once some pages are applied, part-way through the run.
    const { interrupted, restarted } = await stopPartwayAndRestart(
      h,
      cut.runId,
      (row) => Object.values(row.checkpoint).reduce((a, b) => a + b, 0) >= 5,
      pageSize,
    );
    second = restarted;
    expect(interrupted.status).to.equal('running');
    const appliedBefore = interrupted.counts.created;
    expect(appliedBefore).to.be.greaterThan(0);
    expect(appliedBefore).to.be.lessThan(reference.counts.created);

    const resumed = await runSucceeded(h, cut.runId);
    expect(resumed.attempts).to.equal(2);
    expect(resumed.counts).to.deep.equal(reference.counts);
    expect(resumed.errors).to.deep.equal(reference.errors);
    for (const entity of ['user', 'class', 'enrollment', 'result']) {
      expect(await mappingCount(cut.connectionId, entity), entity).to.equal(
        await mappingCount(whole.connectionId, entity),
      );
    }
    await h.events.waitFor(
      (e) => e.type === 'mathnet.lms.sync.completed' && (e.data as { runId: string }).runId === cut.runId,
    );
    for (const key of ['people', 'classes', 'enrollments'] as const) {
      const ids = factIds(cut.runId, key);
      expect(new Set(ids).size, `${key} emitted once each`).to.equal(ids.length);
      expect(ids.length, key).to.equal(factIds(whole.runId, key).length);
    }
  });
});
