import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { signWebhook } from '../../../libs/lms-sdk/test/fixtures/connector-fixture/index';
import { loadConnectors } from '../src/connectors/load-connectors';
import { type BridgeHarness, startBridge, waitForRun } from './bridge-harness';

const fixtureDir = fileURLToPath(
  new URL('../../../libs/lms-sdk/test/fixtures/connector-fixture', import.meta.url),
);
const schoolA = '01890000-0000-7000-8000-00000000000a';

describe('a third-party connector package loaded by name (MATHNET_CONNECTORS)', function () {
  this.timeout(60_000);
  let dir: string;
  let h: BridgeHarness;
  let lms: { url: string; close(): Promise<void> };

  before(async () => {
    // What a school does: npm install the package next to mathnet, then name it in MATHNET_CONNECTORS.
    dir = mkdtempSync(join(tmpdir(), 'mathnet-school-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(fixtureDir, join(dir, 'node_modules', 'mathnet-connector-fixture'), 'dir');
    const connectors = await loadConnectors(['oneroster', 'mathnet-connector-fixture'], dir);
    expect([...connectors.keys()]).to.deep.equal(['oneroster', 'fixture-lms']);
    h = await startBridge('third-party', connectors);
    const { startFixtureLms } = (await import(
      join(fixtureDir, 'test-double.ts')
    )) as typeof import('../../../libs/lms-sdk/test/fixtures/connector-fixture/test-double');
    lms = await startFixtureLms({ token: 'fixture-token-123' });
  });
  after(async () => {
    await h?.close();
    await lms?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A school coordinator's token and a new connection of the school to the fixture LMS. */
  const connectFixture = async () => {
    const coord = h.tokenFor('01890000-0000-7000-8000-000000000001', [
      { role: 'school_admin', organisationId: schoolA },
    ]);
    const created = await h.call('POST', '/v1/connections', coord, {
      organisationId: schoolA,
      connector: 'fixture-lms',
      settings: { baseUrl: lms.url },
      secrets: { apiToken: 'fixture-token-123', webhookSecret: 'whsec-fixture-1' },
    });
    return { coord, created };
  };

  it('refuses a package that is not installed, naming it', async () => {
    try {
      await loadConnectors(['mathnet-connector-nowhere'], dir);
      expect.fail('should throw');
    } catch (error) {
      expect((error as Error).message).to.match(
        /cannot load the connector package mathnet-connector-nowhere/,
      );
    }
  });

  it('syncs through it: people, classes and enrolments mapped, the bad record reported', async () => {
    const { coord, created } = await connectFixture();
    expect(created.status, created.text).to.equal(201);
    const sync = await h.call('POST', `/v1/connections/${created.body.id}/sync`, coord);
    const run = await waitForRun(h, sync.body.runId, coord);
    expect(run.status, JSON.stringify(run)).to.equal('succeeded');
    expect(run.counts.created).to.be.greaterThan(5);
    expect(run.counts.failed).to.be.at.least(1);
    expect(run.errors.some((e: { sourcedId?: string; reason: string }) => e.sourcedId === 's5')).to.equal(
      true,
    );
    const people = await h.events.waitFor(
      (e) => e.type === 'mathnet.lms.people.synced' && (e.data as { runId: string }).runId === run.id,
    );
    expect((people.data as { people: unknown[] }).people.length).to.be.greaterThan(0);
    const again = await waitForRun(
      h,
      (await h.call('POST', `/v1/connections/${created.body.id}/sync`, coord)).body.runId,
      coord,
    );
    expect(again.counts).to.include({ created: 0, updated: 0, deactivated: 0 });
    expect(again.counts.unchanged).to.equal(run.counts.created);
  });

  it('passes a webhook the bytes the LMS signed; a bad signature is 403, an unreadable body 400', async () => {
    const { coord, created } = await connectFixture();
    const hook = (text: string, signature: string) =>
      h.call('POST', `/v1/connections/${created.body.id}/webhook`, coord, new TextEncoder().encode(text), {
        'content-type': 'application/json',
        'x-fixture-signature': signature,
      });
    // The LMS's own spacing and key order: a signature over JSON.stringify of the parsed body would not match.
    const text = '{ "at": "2026-12-05T08:00:00Z",   "event": "roster.changed" }';
    const accepted = await hook(text, signWebhook('whsec-fixture-1', text));
    expect(accepted.status, accepted.text).to.equal(202);
    expect(accepted.body.runId).to.be.a('string');
    expect((await waitForRun(h, accepted.body.runId, coord)).status).to.equal('succeeded');

    const reserialised = signWebhook('whsec-fixture-1', JSON.stringify(JSON.parse(text)));
    const forged = await hook(text, reserialised);
    expect(forged.status, forged.text).to.equal(403);
    expect(forged.body.detail).to.match(/signature/);
    const unreadable = await hook('{"at": 1}', signWebhook('whsec-fixture-1', '{"at": 1}'));
    expect(unreadable.status, unreadable.text).to.equal(400);
    expect(unreadable.body.status).to.equal(400);
  });
});
