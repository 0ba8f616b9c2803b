import {
  type Actor,
  createStaticVerifier,
  generateSigningKey,
  type RoleGrant,
  TokenIssuer,
} from '@mathnet/auth';
import {
  createEventBus,
  type EventBus,
  type EventRecorder,
  type Handled,
  observeHandling,
  recordEvents,
} from '@mathnet/bus';
import { createEvent, type OrganisationKind, type RoleAssignment } from '@mathnet/contracts';
import { createDatabase, type DatabaseHandle } from '@mathnet/db';
import { createLogger, listen, type RunningServer } from '@mathnet/kit';
import { createTestBus, createTestDatabase } from '@mathnet/testkit';
import { eq } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { RoutePolicy } from '../src/config';
import { type CoursesService, createCoursesService } from '../src/service';
import { organisationView, personView } from '../src/store/schema';

/** Courses in process on real infrastructure, tokens minted for any actor, registry facts fed as events. */
export interface CoursesHarness {
  url: string;
  courses: CoursesService;
  bus: EventBus;
  database: DatabaseHandle;
  /** Every courses event, in order. */
  events: EventRecorder;
  /** Resolves once a consumer group of the service finished handling the event `times` times (see {@link observeHandling}). */
  handled: Handled;
  token(actor: Actor): string;
  /** A token for a person with these grants. */
  tokenFor(personId: string, roles: RoleGrant[]): string;
  /** Publishes organisation.registered and waits until the read model has it. */
  organisation(kind: OrganisationKind, name?: string): Promise<string>;
  /** Publishes person.registered (or updated) and waits until the read model has that version. */
  person(
    roles: RoleAssignment[],
    options?: { birthDate?: string | null; id?: string; version?: number; givenName?: string },
  ): Promise<string>;
  api: ReturnType<typeof jsonClient>;
  close(): Promise<void>;
}

export const defaultPolicy: RoutePolicy = { minHours: 0, maxHours: 1200, minAdvancedSubjects: 0 };

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function startCourses(
  label: string,
  routePolicy: RoutePolicy = defaultPolicy,
): Promise<CoursesHarness> {
  const logger = createLogger(`test-${label}`, process.env.LOG_LEVEL ?? 'silent');
  const testDb = await createTestDatabase(label);
  const testBus = await createTestBus(label);
  const database = await createDatabase(testDb.url, { logger });
  const { bus, handled } = observeHandling(
    createEventBus(testBus.url, {
      logger,
      exchange: testBus.exchange,
      queuePrefix: testBus.queuePrefix,
      queueExpiresMs: testBus.queueExpiresMs,
    }),
  );
  await bus.start();
  const key = generateSigningKey();
  const issuer = new TokenIssuer({ key });
  const verifier = createStaticVerifier(() => [key]);
  const courses = createCoursesService({
    database,
    bus,
    logger,
    verifier,
    routePolicy,
    processMetrics: false,
  });
  await courses.start();
  const events = await recordEvents(bus, { group: 'test.courses-events', patterns: ['mathnet.courses.#'] });
  const server: RunningServer = await listen(courses.app, 0, '127.0.0.1');
  const db = database.db;

  const publish = (type: string, subject: string, data: unknown) =>
    bus.publish([createEvent({ source: '/mathnet/registry', type, subject, data })]);

  return {
    url: server.url,
    courses,
    bus,
    database,
    events,
    handled,
    api: jsonClient(server.url),
    token: (actor) => issuer.issueAccessToken(actor).accessToken,
    tokenFor: (personId, roles) =>
      issuer.issueAccessToken({ subject: personId, kind: 'person', roles }).accessToken,
    async organisation(kind, name = `${kind} ${Math.random().toString(36).slice(2, 7)}`) {
      const id = uuidv7();
      await publish('mathnet.registry.organisation.registered', id, {
        id,
        name,
        shortName: null,
        kind,
        isHub: false,
        profiles: [],
        status: 'active',
        version: 1,
      });
      await until(
        async () =>
          (await db.select().from(organisationView).where(eq(organisationView.id, id))).length === 1,
        `organisation ${id}`,
      );
      return id;
    },
    async person(roles, options = {}) {
      const id = options.id ?? uuidv7();
      const version = options.version ?? 1;
      await publish(
        version === 1 ? 'mathnet.registry.person.registered' : 'mathnet.registry.person.updated',
        id,
        {
          id,
          givenName: options.givenName ?? 'Иван',
          familyName: 'Тестов',
          middleName: null,
          birthDate: options.birthDate === undefined ? '2009-09-01' : options.birthDate,
          roles,
          status: 'active',
          version,
        },
      );
      await until(
        async () => (await db.select().from(personView).where(eq(personView.id, id)))[0]?.version === version,
        `person ${id} v${version}`,
      );
      return id;
    },
    async close() {
      await server.close();
      await events.close();
      await courses.close();
      await bus.close();
      await database.close();
      await testDb.close();
    },
  };
}

/** A small JSON client for tests. */
export function jsonClient(baseUrl: string) {
  return async (method: string, path: string, token?: string, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
    return { status: res.status, headers: res.headers, body: json as any, text };
  };
}
