import type { Capability, ConnectorDefinition, EnrollmentPush, GradePush, ImportSource } from '../connector';
import type { EntityType } from '../entities';

/**
 * One configuration of a connector against its test double: what a school's
 * admin would enter (settings, secrets) plus how to reach the double.
 */
export interface ConformanceConfig {
  /** Raw settings; the kit validates them with the connector's settingsSchema, as the bridge does. */
  settings: unknown;
  /** Raw secrets; validated with the connector's secretsSchema. */
  secrets: unknown;
  /** HTTP client that reaches the double (defaults to global fetch, e.g. for a double listening on port 0). */
  fetch?: typeof fetch;
  /** Passed to every pull (file-import connectors, e.g. a OneRoster CSV archive). */
  source?: ImportSource;
  /** Called after each check that used this configuration (stop the double, remove files). */
  close?(): Promise<void>;
}

/** A sample webhook call and what the connector should ask the bridge to sync. */
export interface WebhookSample {
  body: unknown;
  headers: Record<string, string | undefined>;
  /** The bytes as the LMS sends them (what a signature covers); default: `body` as JSON. */
  rawBody?: Uint8Array;
  /** When given, the outcome's `sync` must equal this list (order ignored). */
  expectSync?: Capability[];
}

/** Options of {@link runConformanceKit}. */
export interface ConformanceOptions {
  /** The connector package's default export. */
  connector: ConnectorDefinition;
  /** A working configuration against the test double (called once per check; return a fresh double if it keeps state). */
  connect: () => Promise<ConformanceConfig>;
  /** A configuration with wrong credentials: `test()` and the pulls must reject with AuthFailedError. */
  badCredentials?: () => Promise<ConformanceConfig>;
  /** A configuration whose LMS is down: `test()` and the pulls must reject with LmsUnavailableError. */
  unavailable?: () => Promise<ConformanceConfig>;
  /** A rate-limiting LMS: each call either succeeds (the connector waited and retried) or rejects with RateLimitedError (retryAfterMs > 0). */
  rateLimited?: () => Promise<ConformanceConfig>;
  /** Items pushed twice to prove idempotency (required when the connector declares the push capability). */
  pushSample?: { enrollments?: EnrollmentPush[]; grades?: GradePush[] };
  /** Minimum records per entity type over all pulls (default: each declared pull delivers at least one record). */
  minRecords?: Partial<Record<EntityType, number>>;
  /** The page size the paging check asks for (default 2). */
  pageSize?: number;
  /**
   * The largest page the connector may deliver in the paging check (default: `pageSize`).
   * Only for connectors whose LMS fixes the page size and so cannot honour `pageSize`.
   */
  maxPageSize?: number;
  /** A signed webhook call (used when the connector declares `webhooks`). */
  webhookSample?: WebhookSample;
  /** How long one check may take (default 20 000 ms). */
  timeoutMs?: number;
  /** The suite's title (default `conformance: <connector id>`). */
  title?: string;
}
