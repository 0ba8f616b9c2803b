import { Writable } from 'node:stream';
import { createStaticVerifier, generateSigningKey, type RoleGrant, TokenIssuer } from '@mathnet/auth';
import { createEventBus, type EventBus, type EventRecorder, recordEvents } from '@mathnet/bus';
import { type District, districtZip } from '@mathnet/connector-oneroster/test-double';
import { createDatabase, type DatabaseHandle } from '@mathnet/db';
import { listen, type RunningServer } from '@mathnet/kit';
import type { ConnectorDefinition } from '@mathnet/lms-sdk';
import { createTestBus, createTestDatabase } from '@mathnet/testkit';
import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { loadConnectors } from '../src/connectors/load-connectors';
import { generateSecretsKey } from '../src/secrets/secret-box';
import { type BridgeService, createBridgeService } from '../src/service';
import { runs } from '../src/store/schema';

/** lms-bridge in process on real infrastructure, with tokens for any actor and every log line captured. */
export interface BridgeHarness {
  url: string;
  bridge: BridgeService;
  bus: EventBus;
  database: DatabaseHandle;
  events: EventRecorder;
  logs: string[];
  tokenFor(personId: string, roles: RoleGrant[]): string;
  /** Starts another bridge on the same database and bus (a restarted process). */
  startAnother(connectors: Map<string, ConnectorDefinition>, pageSize?: number): Promise<BridgeService>;
  call(
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    headers?: Record<string, string>,
    // biome-ignore lint/suspicious/noExplicitAny: tests read answers of many shapes ad hoc; a wrong field fails the assertion
  ): Promise<{ status: number; body: any; text: string }>;
  close(): Promise<void>;
}

export async function startBridge(
  label: string,
  connectors: Map<string, ConnectorDefinition>,
  fetchImpl?: typeof fetch,
  pageSize?: number,
): Promise<BridgeHarness> {
  const logs: string[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk, _enc, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  );
  const testDb = await createTestDatabase(label);
  const testBus = await createTestBus(label);
  const database = await createDatabase(testDb.url, { logger });
  const bus = createEventBus(testBus.url, {
    logger,
    exchange: testBus.exchange,
    queuePrefix: testBus.queuePrefix,
    queueExpiresMs: testBus.queueExpiresMs,
  });
  await bus.start();
  const events = await recordEvents(bus, { group: 'test.lms-events', patterns: ['mathnet.lms.#'] });
  const key = generateSigningKey();
  const issuer = new TokenIssuer({ key });
  const bridge = createBridgeService({
    database,
    bus,
    logger,
    verifier: createStaticVerifier(() => [key]),
    connectors,
    secretsKey: generateSecretsKey(),
    maxImportBytes: 64 * 1024 * 1024,
    runPollMs: 100,
    runStaleMs: 1000,
    processMetrics: false,
    ...(fetchImpl ? { fetchImpl } : {}),
    ...(pageSize ? { pageSize } : {}),
  });
  await bridge.start();
  const server: RunningServer = await listen(bridge.app, 0, '127.0.0.1');
  return {
    url: server.url,
    bridge,
    bus,
    database,
    events,
    logs,
    async startAnother(others, size) {
      const another = createBridgeService({
        database,
        bus,
        logger,
        verifier: createStaticVerifier(() => [key]),
        connectors: others,
        secretsKey: generateSecretsKey(),
        maxImportBytes: 64 * 1024 * 1024,
        runPollMs: 100,
        runStaleMs: 1000,
        processMetrics: false,
        ...(size ? { pageSize: size } : {}),
      });
      await another.start();
      return another;
    },
    tokenFor: (personId, roles) =>
      issuer.issueAccessToken({ subject: personId, kind: 'person', roles }).accessToken,
    async call(method, path, token, body, headers = {}) {
      const h: Record<string, string> = { ...headers };
      if (token) h.authorization = `Bearer ${token}`;
      let payload: string | Uint8Array | undefined;
      if (body instanceof Uint8Array) payload = body;
      else if (body !== undefined) {
        payload = JSON.stringify(body);
        h['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: h,
        ...(payload !== undefined ? { body: payload } : {}),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
      return { status: res.status, body: json as any, text };
    },
    async close() {
      await server.close();
      await events.close();
      await bridge.close();
      await bus.close();
      await database.close();
      await testDb.close();
    },
  };
}

/** Polls a run until it is finished (succeeded or failed). */
export async function waitForRun(h: BridgeHarness, runId: string, token: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await h.call('GET', `/v1/runs/${runId}`, token);
    if (res.body?.status === 'succeeded' || res.body?.status === 'failed') return res.body;
    if (Date.now() > deadline) throw new Error(`run ${runId} not finished: ${res.text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls `check` every 25 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function pollUntil(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A run's row as the database holds it now (checkpoint, attempts and counts included). */
export async function runRow(h: BridgeHarness, runId: string) {
  const [row] = await h.database.db.select().from(runs).where(eq(runs.id, runId));
  if (!row) throw new Error(`no run ${runId}`);
  return row;
}

type RunRow = Awaited<ReturnType<typeof runRow>>;

/** Waits until the run succeeded; its row then. */
export async function runSucceeded(h: BridgeHarness, runId: string, timeoutMs = 60_000): Promise<RunRow> {
  await pollUntil(
    async () => (await runRow(h, runId)).status === 'succeeded',
    `run ${runId} succeeded`,
    timeoutMs,
  );
  return runRow(h, runId);
}

/**
 * A crash in the middle of a run: stops the bridge once `partway(row)` holds for the run, then
 * starts another on the same database and bus (with the OneRoster connector), which resumes it.
 * Returns the run as the stop left it and the new bridge (the caller closes it).
 */
export async function stopPartwayAndRestart(
  h: BridgeHarness,
  runId: string,
  partway: (row: RunRow) => boolean,
  pageSize: number,
): Promise<{ interrupted: RunRow; restarted: BridgeService }> {
  await pollUntil(async () => {
    const row = await runRow(h, runId);
    return row.status === 'running' && partway(row);
  }, 'the run to be part-way');
  await h.bridge.close();
  const interrupted = await runRow(h, runId);
  const restarted = await h.startAnother(await loadConnectors(['oneroster']), pageSize);
  return { interrupted, restarted };
}

/**
 * Posts the district's OneRoster zip to a connection (`connectionId`), or to a new OneRoster
 * connection of the school (`organisationId`): the queued run.
 */
export async function importDistrict(
  h: BridgeHarness,
  token: string,
  into: { organisationId: string } | { connectionId: string },
  district: District,
): Promise<{ connectionId: string; runId: string }> {
  const connectionId =
    'connectionId' in into
      ? into.connectionId
      : ((
          await h.call('POST', '/v1/connections', token, {
            organisationId: into.organisationId,
            connector: 'oneroster',
          })
        ).body.id as string);
  const queued = await h.call(
    'POST',
    `/v1/connections/${connectionId}/imports`,
    token,
    await districtZip(district),
    { 'content-type': 'application/zip' },
  );
  if (queued.status !== 202) throw new Error(`import not queued: ${queued.status} ${queued.text}`);
  return { connectionId, runId: queued.body.runId as string };
}
