import { fileURLToPath } from 'node:url';
import { assertAllowed, authenticate, isNetworkAdmin, requireActor, type TokenVerifier } from '@mathnet/auth';
import type { EventBus, Subscription } from '@mathnet/bus';
import { type DatabaseHandle, OutboxRelay, runMigrations, UnitOfWork } from '@mathnet/db';
import { createHttpApp, deadLetterRouter, type Logger } from '@mathnet/kit';
import type { ConnectorDefinition } from '@mathnet/lms-sdk';
import type { Express } from 'express';
import { ConnectionOpener } from './connectors/connection-opener';
import { enrollmentPushGroup, subscribeEnrollmentPush } from './consumers/enrollment-push';
import { registryPeopleGroup, subscribeRegistryPeople } from './consumers/registry-people';
import { connectionsRouter } from './http/connections-router';
import { bridgeOpenApi } from './http/openapi';
import { runsRouter } from './http/runs-router';
import { SecretBox } from './secrets/secret-box';
import { inbox, outbox } from './store/schema';
import { defaultPageSize, RunWorker } from './sync/run-worker';

export interface BridgeDeps {
  database: DatabaseHandle;
  bus: EventBus;
  logger: Logger;
  verifier: TokenVerifier;
  /** Installed connectors by id (see loadConnectors). */
  connectors: Map<string, ConnectorDefinition>;
  secretsKey: string;
  maxImportBytes: number;
  runPollMs: number;
  /** A running run with an older heartbeat is resumed by another worker (its process died). */
  runStaleMs?: number;
  /** HTTP client handed to connectors (tests reach LMS test doubles through it). */
  fetchImpl?: typeof fetch;
  /** Records per page asked of connectors (each page is applied in one transaction). */
  pageSize?: number;
  processMetrics?: boolean;
}

export interface BridgeService {
  app: Express;
  start(): Promise<void>;
  close(): Promise<void>;
}

export const bridgeMigrations = fileURLToPath(new URL('../migrations', import.meta.url));

/** The lms-bridge service as a value: nothing listens until the caller serves `app`. */
export function createBridgeService(deps: BridgeDeps): BridgeService {
  const { database, bus, logger } = deps;
  const db = database.db;
  const box = new SecretBox(deps.secretsKey);
  const relay = new OutboxRelay({ db, outbox, inbox, bus, logger });
  const work = new UnitOfWork({ db, outbox, source: '/mathnet/lms-bridge', relay });
  const opener = new ConnectionOpener(db, deps.connectors, box, logger, deps.fetchImpl);
  const worker = new RunWorker({
    db,
    work,
    logger,
    opener,
    pollMs: deps.runPollMs,
    staleMs: deps.runStaleMs ?? 15_000,
    pageSize: deps.pageSize ?? defaultPageSize,
  });
  const openapi = bridgeOpenApi();
  const subscriptions: Subscription[] = [];
  let closed = false;

  const { app } = createHttpApp({
    name: 'lms-bridge',
    logger,
    processMetrics: deps.processMetrics ?? true,
    readiness: { database: () => database.ping(), bus: () => bus.ping() },
    routes: (app) => {
      app.get('/openapi.json', (_req, res) => {
        res.json(openapi);
      });
      app.use('/v1', authenticate(deps.verifier));
      app.use(
        connectionsRouter({
          db,
          work,
          connectors: deps.connectors,
          box,
          opener,
          maxImportBytes: deps.maxImportBytes,
          onQueued: () => worker.poke(),
        }),
      );
      app.use(runsRouter(db));
      app.use(
        deadLetterRouter(bus, [registryPeopleGroup, enrollmentPushGroup], (req) =>
          assertAllowed(
            isNetworkAdmin(requireActor(req)),
            'Only a network administrator operates dead letters',
          ),
        ),
      );
    },
  });

  return {
    app,
    async start() {
      await runMigrations(database, { schema: 'lms_bridge', migrationsFolder: bridgeMigrations });
      subscriptions.push(await subscribeRegistryPeople(bus, db));
      subscriptions.push(await subscribeEnrollmentPush(bus, db, opener, logger));
      relay.start();
      worker.start();
    },
    async close() {
      if (closed) return;
      closed = true;
      await worker.close();
      for (const s of subscriptions) await s.close();
      await relay.close();
    },
  };
}
