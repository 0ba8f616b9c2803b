import { fileURLToPath } from 'node:url';
import { assertAllowed, authenticate, isNetworkAdmin, requireActor, type TokenVerifier } from '@mathnet/auth';
import type { EventBus, Subscription } from '@mathnet/bus';
import { type DatabaseHandle, OutboxRelay, runMigrations, UnitOfWork } from '@mathnet/db';
import { createHttpApp, deadLetterRouter, type Logger } from '@mathnet/kit';
import type { Express } from 'express';
import type { RoutePolicy } from './config';
import { lmsFactsGroup, subscribeLmsFacts } from './consumers/lms-facts';
import { registryReadModelGroup, subscribeRegistryReadModel } from './consumers/registry-read-model';
import { type CoursesDemoSummary, seedDemoCourses } from './demo/seed-demo-courses';
import { accessLogRouter } from './http/access-log-router';
import { enrollmentsRouter } from './http/enrollments-router';
import { offeringsRouter } from './http/offerings-router';
import { coursesOpenApi } from './http/openapi';
import { routesRouter } from './http/routes-router';
import { teachersRouter } from './http/teachers-router';
import { inbox, outbox } from './store/schema';

export interface CoursesDeps {
  database: DatabaseHandle;
  bus: EventBus;
  logger: Logger;
  /** Verifies bearer tokens: registry's JWKS in distributed mode, registry's own verifier standalone. */
  verifier: TokenVerifier;
  routePolicy: RoutePolicy;
  processMetrics?: boolean;
}

export interface CoursesService {
  app: Express;
  /** Applies migrations, subscribes to registry's events and lms-bridge's facts, starts the outbox relay. */
  start(): Promise<void>;
  /** Loads the demo catalogue and enrollments once registry's demo (`expectedPeople` people) reached the read model. */
  seedDemo(expectedPeople: number): Promise<CoursesDemoSummary | undefined>;
  close(): Promise<void>;
}

export const coursesMigrations = fileURLToPath(new URL('../migrations', import.meta.url));

/** The courses service as a value: nothing listens until the caller serves `app`. */
export function createCoursesService(deps: CoursesDeps): CoursesService {
  const { database, bus, logger, verifier } = deps;
  const db = database.db;
  const relay = new OutboxRelay({ db, outbox, inbox, bus, logger });
  const work = new UnitOfWork({ db, outbox, source: '/mathnet/courses', relay });
  const openapi = coursesOpenApi();
  let subscription: Subscription | undefined;
  let lmsFacts: Subscription | undefined;

  const { app } = createHttpApp({
    name: 'courses',
    logger,
    processMetrics: deps.processMetrics ?? true,
    readiness: { database: () => database.ping(), bus: () => bus.ping() },
    routes: (app) => {
      app.get('/openapi.json', (_req, res) => {
        res.json(openapi);
      });
      app.use('/v1', authenticate(verifier));
      app.use(offeringsRouter(db, work));
      app.use(enrollmentsRouter(db, work));
      app.use(routesRouter(db, work, deps.routePolicy));
      app.use(teachersRouter(db));
      app.use(accessLogRouter(db));
      app.use(
        deadLetterRouter(bus, [registryReadModelGroup, lmsFactsGroup], (req) =>
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
      await runMigrations(database, { schema: 'courses', migrationsFolder: coursesMigrations });
      subscription = await subscribeRegistryReadModel(bus, db, logger);
      lmsFacts = await subscribeLmsFacts(bus, work, logger, db);
      relay.start();
    },
    seedDemo: (expectedPeople) => seedDemoCourses(db, work, logger, expectedPeople),
    async close() {
      await lmsFacts?.close();
      await subscription?.close();
      await relay.close();
    },
  };
}
