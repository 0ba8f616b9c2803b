import { createEventBus, type EventBus, type EventRecorder, recordEvents } from '@mathnet/bus';
import { createDatabase, type DatabaseHandle } from '@mathnet/db';
import { createLogger, listen, type RunningServer } from '@mathnet/kit';
import { createTestBus, createTestDatabase, type TestDatabase } from '@mathnet/testkit';
import { createRegistryService, type RegistryService } from '../src/service';

export const adminEmail = 'admin@test.mathnet.local';
export const adminPassword = 'admin-password-1';

/** Registry in process on real infrastructure (testkit), served on a free port, with a recorder of its events. */
export interface RegistryHarness {
  url: string;
  registry: RegistryService;
  events: EventRecorder;
  bus: EventBus;
  close(): Promise<void>;
}

export async function startRegistry(label: string): Promise<RegistryHarness> {
  const logger = createLogger(`test-${label}`, process.env.LOG_LEVEL ?? 'silent');
  const testDb: TestDatabase = await createTestDatabase(label);
  const testBus = await createTestBus(label);
  const database: DatabaseHandle = await createDatabase(testDb.url, { logger });
  const bus = createEventBus(testBus.url, {
    logger,
    exchange: testBus.exchange,
    queuePrefix: testBus.queuePrefix,
    queueExpiresMs: testBus.queueExpiresMs,
  });
  await bus.start();
  const events = await recordEvents(bus, { group: 'test.registry-events', patterns: ['mathnet.registry.#'] });
  const registry = createRegistryService({
    database,
    bus,
    logger,
    processMetrics: false,
    config: {
      MATHNET_ADMIN_EMAIL: adminEmail,
      MATHNET_ADMIN_PASSWORD: adminPassword,
      MATHNET_AUTHORITY_NAME: 'Управление образования (тест)',
      ACCESS_TOKEN_TTL_SECONDS: 900,
      REFRESH_TOKEN_TTL_DAYS: 30,
    },
  });
  await registry.start();
  const server: RunningServer = await listen(registry.app, 0, '127.0.0.1');
  return {
    url: server.url,
    registry,
    events,
    bus,
    async close() {
      await server.close();
      await events.close();
      await registry.close();
      await bus.close();
      await database.close();
      await testDb.close();
    },
  };
}

/** A small JSON client for tests. */
export function client(baseUrl: string) {
  const call = async (
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {},
  ) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
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
  return {
    call,
    async login(username: string, password: string): Promise<string> {
      const res = await call('POST', '/auth/token', { body: { grant_type: 'password', username, password } });
      if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${res.text}`);
      return res.body.access_token as string;
    },
  };
}
