import { AuthFailedError, defineConnector, type PulledPage } from '@mathnet/lms-sdk';
import { expect } from 'chai';
import { z } from 'zod';
import { type BridgeHarness, startBridge, waitForRun } from './bridge-harness';

const schoolA = '01890000-0000-7000-8000-00000000000a';
const schoolB = '01890000-0000-7000-8000-00000000000b';
const authority = '01890000-0000-7000-8000-0000000000ff';

/** A connector standing in for an LMS, implementing what it declares. */
const fakeLms = defineConnector({
  id: 'fake-lms',
  displayName: 'Fake LMS',
  settingsSchema: z.object({ baseUrl: z.url() }),
  secretsSchema: z.object({ token: z.string().min(3) }),
  capabilities: ['roster.pull'],
  connect: ({ secrets }) => ({
    async test() {
      if (secrets.token !== 'good-token') throw new AuthFailedError('Invalid token - token not found');
      return { sitename: 'Fake' };
    },
    async *pullRoster(): AsyncIterable<PulledPage> {
      if (secrets.token !== 'good-token') throw new AuthFailedError('Invalid token - token not found');
      yield {
        entity: 'users',
        mode: 'bulk',
        rejected: [],
        records: [
          {
            sourcedId: 'u1',
            status: 'active',
            enabledUser: true,
            userIds: [],
            givenName: 'Анна',
            familyName: 'Петрова',
            roles: [{ roleType: 'primary', role: 'student', orgSourcedId: 'org' }],
            agentSourcedIds: [],
            grades: ['10'],
          },
        ],
      };
    },
  }),
});

describe('lms-bridge connections', function () {
  this.timeout(60_000);
  let h: BridgeHarness;
  let coordA: string;
  let coordB: string;
  let admin: string;

  before(async () => {
    h = await startBridge('bridge-connections', new Map([['fake-lms', fakeLms]]));
    coordA = h.tokenFor('01890000-0000-7000-8000-000000000001', [
      { role: 'school_admin', organisationId: schoolA },
    ]);
    coordB = h.tokenFor('01890000-0000-7000-8000-000000000002', [
      { role: 'school_admin', organisationId: schoolB },
    ]);
    admin = h.tokenFor('01890000-0000-7000-8000-000000000003', [
      { role: 'network_admin', organisationId: authority },
    ]);
  });
  after(async () => {
    await h?.close();
  });

  it('lists installed connectors with JSON Schemas for their forms', async () => {
    const res = await h.call('GET', '/v1/connectors', coordA);
    expect(res.body.items[0]).to.include({ id: 'fake-lms', displayName: 'Fake LMS' });
    expect(res.body.items[0].settingsSchema.properties).to.have.property('baseUrl');
  });

  it('keeps secrets encrypted and out of every answer and log line; other schools get 403', async () => {
    const created = await h.call('POST', '/v1/connections', coordA, {
      organisationId: schoolA,
      connector: 'fake-lms',
      settings: { baseUrl: 'https://moodle.school-a.example' },
      secrets: { token: 'good-token' },
    });
    expect(created.status, created.text).to.equal(201);
    expect(created.body.secretsSet).to.deep.equal(['token']);
    expect(created.text).to.not.include('good-token');
    const id = created.body.id;
    for (const path of [`/v1/connections/${id}`, '/v1/connections']) {
      const res = await h.call('GET', path, coordA);
      expect(res.status).to.equal(200);
      expect(res.text).to.not.include('good-token');
    }
    expect((await h.call('GET', `/v1/connections/${id}`, coordB)).status).to.equal(403);
    expect((await h.call('PATCH', `/v1/connections/${id}`, coordB, { name: 'x' })).status).to.equal(403);
    expect((await h.call('POST', `/v1/connections/${id}/sync`, coordB)).status).to.equal(403);
    expect((await h.call('GET', '/v1/connections', coordB)).body.items).to.have.length(0);
    expect(
      (
        await h.call('POST', '/v1/connections', coordB, {
          organisationId: schoolA,
          connector: 'fake-lms',
          settings: { baseUrl: 'https://x.example' },
        })
      ).status,
    ).to.equal(403);

    const test = await h.call('POST', `/v1/connections/${id}/test`, coordA);
    expect(test.body).to.deep.equal({ ok: true, details: { sitename: 'Fake' } });
    const sync = await h.call('POST', `/v1/connections/${id}/sync`, coordA);
    expect(sync.status).to.equal(202);
    const run = await waitForRun(h, sync.body.runId, coordA);
    expect(run.status).to.equal('succeeded');
    expect(run.counts).to.deep.include({ created: 1, failed: 0 });
    expect((await h.call('GET', `/v1/runs/${run.id}`, coordB)).status).to.equal(403);
    expect((await h.call('GET', `/v1/connections/${id}/runs`, coordB)).status).to.equal(403);
    expect((await h.call('GET', `/v1/connections/${id}/runs`, admin)).body.items).to.have.length(1);
    expect(h.logs.join('\n')).to.not.include('good-token');
  });

  it('validates settings and secrets with the connector schemas, and refuses unknown connectors', async () => {
    const bad = await h.call('POST', '/v1/connections', coordA, {
      organisationId: schoolA,
      connector: 'fake-lms',
      settings: { baseUrl: 'not a url' },
      secrets: { token: 'good-token' },
    });
    expect(bad.status).to.equal(400);
    expect(bad.body.errors[0].path).to.equal('settings.baseUrl');
    expect(bad.text).to.not.include('good-token');
    expect(
      (await h.call('POST', '/v1/connections', coordA, { organisationId: schoolA, connector: 'blackboard' }))
        .status,
    ).to.equal(400);
  });

  it('reports a clear failed run and a failed test for an invalid token, not a crash', async () => {
    const created = await h.call('POST', '/v1/connections', coordA, {
      organisationId: schoolA,
      connector: 'fake-lms',
      settings: { baseUrl: 'https://moodle.school-a.example' },
      secrets: { token: 'bad-token' },
    });
    const test = await h.call('POST', `/v1/connections/${created.body.id}/test`, coordA);
    expect(test.body).to.deep.equal({
      ok: false,
      error: { code: 'auth_failed', message: 'Invalid token - token not found' },
    });
    const sync = await h.call('POST', `/v1/connections/${created.body.id}/sync`, coordA);
    const run = await waitForRun(h, sync.body.runId, coordA);
    expect(run.status).to.equal('failed');
    expect(run.error).to.equal('auth_failed: Invalid token - token not found');
    const failedEvent = await h.events.waitFor(
      (e) => e.type === 'mathnet.lms.sync.failed' && (e.data as { runId: string }).runId === run.id,
    );
    expect(failedEvent).to.exist;
    const patched = await h.call('PATCH', `/v1/connections/${created.body.id}`, coordA, {
      secrets: { token: 'good-token' },
    });
    expect(patched.status).to.equal(200);
    const again = await waitForRun(
      h,
      (await h.call('POST', `/v1/connections/${created.body.id}/sync`, coordA)).body.runId,
      coordA,
    );
    expect(again.status).to.equal('succeeded');
    expect((await h.call('DELETE', `/v1/connections/${created.body.id}`, coordA)).status).to.equal(204);
    expect((await h.call('GET', `/v1/connections/${created.body.id}`, coordA)).status).to.equal(404);
  });

  it("lets the school's LMS machine client start a sync, but not read the connection; a teacher gets 403", async () => {
    const created = await h.call('POST', '/v1/connections', coordA, {
      organisationId: schoolA,
      connector: 'fake-lms',
      settings: { baseUrl: 'https://x.example' },
      secrets: { token: 'good-token' },
    });
    const machine = h.tokenFor('01890000-0000-7000-8000-000000000009', [
      { role: 'lms_client', organisationId: schoolA },
    ]);
    const teacher = h.tokenFor('01890000-0000-7000-8000-000000000008', [
      { role: 'teacher', organisationId: schoolA },
    ]);
    expect((await h.call('POST', `/v1/connections/${created.body.id}/sync`, machine)).status).to.equal(202);
    expect((await h.call('GET', `/v1/connections/${created.body.id}`, machine)).status).to.equal(403);
    expect((await h.call('POST', `/v1/connections/${created.body.id}/sync`, teacher)).status).to.equal(403);
  });

  it('rejects imports that are not zip archives', async () => {
    const created = await h.call('POST', '/v1/connections', coordA, {
      organisationId: schoolA,
      connector: 'fake-lms',
      settings: { baseUrl: 'https://x.example' },
      secrets: { token: 'good-token' },
    });
    const notZip = await h.call(
      'POST',
      `/v1/connections/${created.body.id}/imports`,
      coordA,
      new TextEncoder().encode('hello'),
      { 'content-type': 'application/zip' },
    );
    expect(notZip.status).to.equal(400);
    const wrongType = await h.call(
      'POST',
      `/v1/connections/${created.body.id}/imports`,
      coordA,
      new TextEncoder().encode('hello'),
      { 'content-type': 'text/plain' },
    );
    expect(wrongType.status).to.equal(415);
  });
});
