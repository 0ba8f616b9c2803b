import { fileURLToPath } from 'node:url';
import {
  assertAllowed,
  authenticate,
  createStaticVerifier,
  isNetworkAdmin,
  requireActor,
  type TokenVerifier,
} from '@mathnet/auth';
import type { EventBus, Subscription } from '@mathnet/bus';
import { type DatabaseHandle, OutboxRelay, runMigrations, UnitOfWork } from '@mathnet/db';
import { createHttpApp, deadLetterRouter, type Logger } from '@mathnet/kit';
import type { Express } from 'express';
import type { RegistryConfig } from './config';
import { lmsPeopleGroup, subscribeLmsPeople } from './consumers/lms-people';
import { type DemoSummary, seedDemoDistrict } from './demo/seed-demo-district';
import { accountRouter } from './http/account-router';
import { adminRouter } from './http/admin-router';
import { authRouter } from './http/auth-router';
import { clientsRouter } from './http/clients-router';
import { consentsRouter } from './http/consents-router';
import { registryOpenApi } from './http/openapi';
import { organisationsRouter } from './http/organisations-router';
import { peopleRouter } from './http/people-router';
import { ensureNetworkAdmin } from './identity/bootstrap-admin';
import { KeyStore } from './identity/key-store';
import { TokenService } from './identity/token-service';
import { inbox, outbox } from './store/schema';

export interface RegistryDeps {
  database: DatabaseHandle;
  bus: EventBus;
  logger: Logger;
  config: Pick<
    RegistryConfig,
    | 'MATHNET_ADMIN_EMAIL'
    | 'MATHNET_ADMIN_PASSWORD'
    | 'MATHNET_AUTHORITY_NAME'
    | 'ACCESS_TOKEN_TTL_SECONDS'
    | 'REFRESH_TOKEN_TTL_DAYS'
  >;
  /** Collect process metrics on this app's /metrics (off when several services share a process). */
  processMetrics?: boolean;
}

export interface RegistryService {
  app: Express;
  /** Verifies tokens with registry's own keys (no HTTP). */
  verifier: TokenVerifier;
  /** Applies migrations, makes the signing key and the first admin, subscribes to LMS facts, starts the outbox relay. */
  start(): Promise<void>;
  /** Loads the demo district (standalone mode, empty data directory); undefined when schools already exist. */
  seedDemo(): Promise<DemoSummary | undefined>;
  close(): Promise<void>;
}

export const registryMigrations = fileURLToPath(new URL('../migrations', import.meta.url));

/** The registry service as a value: nothing listens until the caller serves `app`. */
export function createRegistryService(deps: RegistryDeps): RegistryService {
  const { database, bus, logger, config } = deps;
  const db = database.db;
  const keys = new KeyStore(db);
  const relay = new OutboxRelay({ db, outbox, inbox, bus, logger });
  const work = new UnitOfWork({ db, outbox, source: '/mathnet/registry', relay });
  const tokens = new TokenService({
    db,
    keys,
    accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    refreshTtlDays: config.REFRESH_TOKEN_TTL_DAYS,
  });
  const verifier = createStaticVerifier(() => keys.activeKeys());
  const openapi = registryOpenApi();
  let lmsPeople: Subscription | undefined;

  const { app } = createHttpApp({
    name: 'registry',
    logger,
    processMetrics: deps.processMetrics ?? true,
    readiness: { database: () => database.ping(), bus: () => bus.ping() },
    routes: (app) => {
      app.get('/openapi.json', (_req, res) => {
        res.json(openapi);
      });
      app.use(authRouter(tokens, keys));
      app.use('/v1', authenticate(verifier));
      app.use(organisationsRouter(db, work));
      app.use(clientsRouter(db));
      app.use(peopleRouter(db, work));
      app.use(consentsRouter(db, work));
      app.use(accountRouter(db));
      app.use(adminRouter(db, work));
      app.use(
        deadLetterRouter(bus, [lmsPeopleGroup], (req) =>
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
    verifier,
    async start() {
      await runMigrations(database, { schema: 'registry', migrationsFolder: registryMigrations });
      await keys.ensureKey();
      await ensureNetworkAdmin(
        work,
        {
          email: config.MATHNET_ADMIN_EMAIL,
          password: config.MATHNET_ADMIN_PASSWORD,
          authorityName: config.MATHNET_AUTHORITY_NAME,
        },
        logger,
      );
      lmsPeople = await subscribeLmsPeople(bus, work, logger);
      relay.start();
    },
    seedDemo: () => seedDemoDistrict(work, logger),
    async close() {
      await lmsPeople?.close();
      await relay.close();
    },
  };
}
