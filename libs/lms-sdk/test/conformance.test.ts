import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  AuthFailedError,
  type ConnectorDefinition,
  ConnectorError,
  describeConnector,
  LmsUnavailableError,
} from '@mathnet/lms-sdk';
import {
  type ConformanceConfig,
  expectConnectorError,
  openSession,
  runConformanceKit,
} from '@mathnet/lms-sdk/conformance';
import { expect } from 'chai';
import fixtureConnector, { signWebhook } from './fixtures/connector-fixture/index';
import { type FixtureLmsOptions, startFixtureLms } from './fixtures/connector-fixture/test-double';

const token = 'fixture-token-123';
const webhookSecret = 'whsec-fixture-1';

/** A configuration against a fresh Fixture LMS. */
function configure(options: Partial<FixtureLmsOptions> = {}, apiToken = token) {
  return async (): Promise<ConformanceConfig> => {
    const lms = await startFixtureLms({ token, ...options });
    return { settings: { baseUrl: lms.url }, secrets: { apiToken, webhookSecret }, close: lms.close };
  };
}

const webhookText = '{ "at": "2025-10-01T08:00:00Z",  "event": "roster.changed" }';
const webhookBody: unknown = JSON.parse(webhookText);

runConformanceKit({
  connector: fixtureConnector,
  connect: configure(),
  badCredentials: configure({}, 'wrong-token-456'),
  unavailable: configure({ down: true }),
  rateLimited: configure({ rateLimit: true }),
  pushSample: {
    enrollments: [
      { key: 'e1', classSourcedId: 'k-math-7a', userSourcedId: 's3', role: 'student', status: 'active' },
      { key: 'e2', classSourcedId: 'k-cs-9', userSourcedId: 't2', role: 'teacher', status: 'active' },
      { key: 'e3', classSourcedId: 'k-phys-8', userSourcedId: 's1', role: 'student', status: 'tobedeleted' },
    ],
  },
  minRecords: { orgs: 3, academicSessions: 1, courses: 3, classes: 4, users: 6, enrollments: 8 },
  webhookSample: {
    body: webhookBody,
    // Signed over the bytes as sent (spacing and key order of the LMS's own JSON).
    rawBody: Buffer.from(webhookText),
    headers: { 'x-fixture-signature': signWebhook(webhookSecret, webhookText) },
    expectSync: ['roster.pull'],
  },
});

describe('the fixture connector as a separate package', () => {
  let dir: string;
  before(() => {
    // What a school does: the package sits in node_modules next to mathnet, and is loaded by its name.
    dir = mkdtempSync(join(tmpdir(), 'mathnet-connectors-'));
    mkdirSync(join(dir, 'node_modules'));
    const fixtureDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'connector-fixture');
    symlinkSync(fixtureDir, join(dir, 'node_modules', 'mathnet-connector-fixture'), 'dir');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loads by package name; its default export is the definition, described with JSON Schemas', async () => {
    const entry = createRequire(join(dir, 'loader.js')).resolve('mathnet-connector-fixture');
    const loaded = (await import(pathToFileURL(entry).href)) as { default: ConnectorDefinition };
    // Not `equal(fixtureConnector)`: mocha runs this file as CommonJS under tsx, so import() gives a second instance.
    expect(loaded.default.id).to.equal(fixtureConnector.id);
    const described = describeConnector(loaded.default);
    expect(described.id).to.equal('fixture-lms');
    expect(described.capabilities).to.deep.equal(['roster.pull', 'enrollments.push', 'webhooks']);
    expect(Object.keys(described.settingsSchema.properties ?? {})).to.deep.equal(['baseUrl', 'pageSize']);
    expect(Object.keys(described.secretsSchema.properties ?? {})).to.deep.equal([
      'apiToken',
      'webhookSecret',
    ]);
    // Its errors come from the other instance of the SDK and still match the kit's classes.
    const opened = await openSession(loaded.default, await configure({}, 'wrong-token-789')());
    const error = await expectConnectorError(
      opened.session.test(new AbortController().signal),
      AuthFailedError,
      'test()',
    );
    expect(Object.getPrototypeOf(error)).to.not.equal(AuthFailedError.prototype);
    expect(error).to.be.instanceOf(ConnectorError).and.not.instanceOf(LmsUnavailableError);
    await opened.close();
  });

  it('reports the record the Fixture LMS cannot give as rejected, naming the field', async () => {
    const opened = await openSession(fixtureConnector, await configure()());
    try {
      const rejected = [];
      for await (const page of opened.session.pullRoster!({ signal: new AbortController().signal })) {
        rejected.push(...page.rejected);
      }
      expect(rejected).to.have.length(1);
      expect(rejected[0]).to.include({ entity: 'users', sourcedId: 's5' });
      expect(rejected[0]!.reason).to.match(/^familyName: /);
    } finally {
      await opened.close();
    }
  });

  it('an LMS that refuses connections is LmsUnavailableError; a wrong token is AuthFailedError', async () => {
    const lms = await startFixtureLms({ token });
    const url = lms.url;
    await lms.close();
    const down = await openSession(fixtureConnector, {
      settings: { baseUrl: url },
      secrets: { apiToken: token, webhookSecret },
    });
    await expectConnectorError(
      down.session.test(new AbortController().signal),
      LmsUnavailableError,
      'closed port',
    );
    await down.close();
    const bad = await openSession(fixtureConnector, await configure({}, 'another-wrong-token')());
    const error = await expectConnectorError(
      bad.session.test(new AbortController().signal),
      AuthFailedError,
      'bad token',
    );
    expect(error.code).to.equal('auth_failed');
    await bad.close();
  });
});
