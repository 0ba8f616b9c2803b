import {
  AuthFailedError,
  type ConnectOptions,
  ConnectorError,
  defineConnector,
  type EntityType,
  type LmsSession,
  type PulledPage,
  type PullOptions,
  throwIfAborted,
} from '@mathnet/lms-sdk';
import { DEFAULT_PAGE_SIZE, pullCsv } from './csv/csv-import';
import { OneRosterRestClient, type RestRetryOptions } from './rest/rest-client';
import { pullRest, restEndpoints } from './rest/rest-pull';
import {
  connectionMode,
  type OneRosterSecrets,
  type OneRosterSettings,
  oneRosterSecretsSchema,
  oneRosterSettingsSchema,
} from './settings';

/** The entity types each pull delivers, in dependency order. */
export const pullPlan = {
  roster: ['orgs', 'academicSessions', 'courses', 'classes', 'users', 'enrollments'],
  courses: ['academicSessions', 'courses', 'classes'],
  grades: ['lineItems', 'results'],
} as const satisfies Record<string, readonly EntityType[]>;

/** Extra knobs of {@link createOneRosterSession} (tests shorten the retry waits). */
export interface OneRosterSessionOptions {
  retry?: RestRetryOptions;
}

/**
 * A session on one school's OneRoster source. Every pull given `source` imports
 * that CSV archive; otherwise it calls the REST service (which needs baseUrl,
 * clientId and clientSecret). A misconfiguration surfaces as AuthFailedError
 * from `test()` and the REST pulls, so CSV imports keep working meanwhile.
 */
export function createOneRosterSession(
  options: ConnectOptions<OneRosterSettings, OneRosterSecrets>,
  extra: OneRosterSessionOptions = {},
): LmsSession {
  const { settings, secrets, logger } = options;
  const mode = connectionMode(settings, secrets);
  const fetchFn = options.fetch ?? globalThis.fetch;
  const client =
    mode.kind === 'rest' ? new OneRosterRestClient(mode.rest, fetchFn, logger, extra.retry) : undefined;

  function restClient(): OneRosterRestClient {
    if (mode.kind === 'invalid') throw new AuthFailedError(mode.problem);
    if (!client) {
      throw new ConnectorError(
        'unsupported',
        'This OneRoster connection has no baseUrl, so it only imports CSV archives: give the pull a source (the zip)',
      );
    }
    return client;
  }

  async function* pull(
    entities: readonly EntityType[],
    pullOptions: PullOptions,
  ): AsyncGenerator<PulledPage> {
    throwIfAborted(pullOptions.signal);
    // The smaller of what the bridge asks and what the admin set (a service may cap its page size).
    const sizes = [pullOptions.pageSize, settings.pageSize].filter((n): n is number => !!n && n >= 1);
    const pageSize = sizes.length > 0 ? Math.floor(Math.min(...sizes)) : DEFAULT_PAGE_SIZE;
    if (pullOptions.source) {
      logger?.info('OneRoster CSV import', { entities, kind: pullOptions.source.kind });
      yield* pullCsv(pullOptions.source, entities, { signal: pullOptions.signal, pageSize });
      return;
    }
    const rest = restClient();
    logger?.info('OneRoster REST pull', { entities, since: pullOptions.since ?? null });
    yield* pullRest(rest, entities, { signal: pullOptions.signal, pageSize, since: pullOptions.since });
  }

  return {
    async test(signal) {
      throwIfAborted(signal);
      if (mode.kind === 'csv') {
        return {
          mode: 'csv',
          message: 'No baseUrl: this connection imports OneRoster 1.2 CSV archives only',
        };
      }
      const rest = restClient();
      await rest.token(signal);
      const { body, total } = await rest.get(restEndpoints.orgs.path, { limit: '1', offset: '0' }, signal);
      const orgs = Array.isArray(body.orgs) ? (body.orgs as { name?: unknown }[]) : [];
      return {
        mode: 'rest',
        baseUrl: mode.kind === 'rest' ? mode.rest.baseUrl : undefined,
        orgs: total ?? orgs.length,
        firstOrg: typeof orgs[0]?.name === 'string' ? orgs[0].name : null,
      };
    },
    pullRoster: (o) => pull(pullPlan.roster, o),
    pullCourses: (o) => pull(pullPlan.courses, o),
    pullGrades: (o) => pull(pullPlan.grades, o),
  };
}

/** The OneRoster 1.2 connector: CSV archives (bulk and delta) and the REST binding (OAuth 2.0 client credentials). */
export const oneRosterConnector = defineConnector({
  id: 'oneroster',
  displayName: 'OneRoster 1.2',
  description:
    'Rosters, courses and grades from a student information system speaking OneRoster 1.2: CSV archives (bulk or delta) uploaded by the school, or the REST service with OAuth 2.0 client credentials.',
  settingsSchema: oneRosterSettingsSchema,
  secretsSchema: oneRosterSecretsSchema,
  capabilities: ['roster.pull', 'courses.pull', 'grades.pull'],
  connect: (options) => createOneRosterSession(options),
});
