import { z } from 'zod';
import type { EntityOf, EntityType } from './entities';
import type { RejectedRecord } from './errors';

/** What a connector can do; it implements exactly the methods of what it declares. */
export const capabilities = [
  'roster.pull',
  'courses.pull',
  'enrollments.push',
  'grades.pull',
  'grades.push',
  'webhooks',
] as const;
export type Capability = (typeof capabilities)[number];

/** One page of a pull: records of one entity type, plus the records of that page that could not be used. */
export interface PulledPage<T extends EntityType = EntityType> {
  entity: T;
  records: EntityOf<T>[];
  rejected: RejectedRecord[];
  /**
   * `bulk`: the pull delivers every current record of this type (what is missing
   * was removed). `delta`: only changes (removals as `status: 'tobedeleted'`).
   */
  mode: 'bulk' | 'delta';
}

/** Where an import reads from when the LMS sends a file instead of answering calls (e.g. OneRoster CSV). */
export type ImportSource = { kind: 'file'; path: string } | { kind: 'bytes'; data: Uint8Array };

export interface PullOptions {
  signal: AbortSignal;
  /** Only changes since this time (ISO 8601), when the LMS supports it. */
  since?: string;
  /** A file to import instead of calling the LMS. */
  source?: ImportSource;
  /** Records per page the bridge prefers (the connector may deliver fewer). */
  pageSize?: number;
}

/** One network enrollment to mirror in the LMS. */
export interface EnrollmentPush {
  /** Idempotency key of this push (the network enrollment id). */
  key: string;
  classSourcedId: string;
  userSourcedId: string;
  role: 'student' | 'teacher';
  /** `active` enrolls, `tobedeleted` unenrolls. */
  status: 'active' | 'tobedeleted';
}

/** One grade to pass back to the LMS. */
export interface GradePush {
  key: string;
  classSourcedId: string;
  userSourcedId: string;
  score: number;
  comment?: string;
}

/** The outcome of one pushed item: pushing the same item twice must give `ok` both times (idempotent). */
export type PushOutcome =
  | { key: string; ok: true; changed: boolean }
  | { key: string; ok: false; error: string; retryable: boolean };

export interface PushOptions {
  signal: AbortSignal;
}

/** What a webhook call asks the bridge to do. */
export interface WebhookOutcome {
  /** Start a sync run of these capabilities. */
  sync: Capability[];
}

/** Where a connector may log (never secrets). */
export interface ConnectorLogger {
  debug(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
}

/** A connector bound to one school's LMS with that school's settings and secrets. */
export interface LmsSession {
  /** Checks the credentials and the LMS; resolves with what the LMS said about itself, or throws a typed error. */
  test(signal: AbortSignal): Promise<Record<string, unknown>>;
  pullRoster?(options: PullOptions): AsyncIterable<PulledPage>;
  pullCourses?(options: PullOptions): AsyncIterable<PulledPage>;
  pullGrades?(options: PullOptions): AsyncIterable<PulledPage>;
  pushEnrollments?(items: EnrollmentPush[], options: PushOptions): Promise<PushOutcome[]>;
  pushGrades?(items: GradePush[], options: PushOptions): Promise<PushOutcome[]>;
  /**
   * An LMS notification: its parsed body, its headers (lower-case names) and the exact bytes it
   * sent. Verify a signature over `rawBody`, never over a re-serialisation of `body` (key order
   * and whitespace would differ from what the LMS signed).
   */
  handleWebhook?(
    body: unknown,
    headers: Record<string, string | undefined>,
    rawBody: Uint8Array,
  ): Promise<WebhookOutcome>;
  close?(): Promise<void>;
}

export interface ConnectOptions<S, K> {
  settings: S;
  secrets: K;
  /** HTTP client (tests pass one that reaches a test double); defaults to global fetch. */
  fetch?: typeof fetch;
  logger?: ConnectorLogger;
}

/** A connector package's default export. */
export interface ConnectorDefinition<S extends z.ZodType = z.ZodType, K extends z.ZodType = z.ZodType> {
  /** Stable id, e.g. `moodle`, `oneroster`. */
  id: string;
  displayName: string;
  description?: string;
  /** Non-secret settings (validated by the bridge; rendered as a form by the web client). */
  settingsSchema: S;
  /** Secrets (encrypted at rest by the bridge, never returned by its API). */
  secretsSchema: K;
  capabilities: readonly Capability[];
  connect(options: ConnectOptions<z.infer<S>, z.infer<K>>): LmsSession;
}

const methodOf: Record<Capability, keyof LmsSession> = {
  'roster.pull': 'pullRoster',
  'courses.pull': 'pullCourses',
  'grades.pull': 'pullGrades',
  'enrollments.push': 'pushEnrollments',
  'grades.push': 'pushGrades',
  webhooks: 'handleWebhook',
};

/** The session method a capability needs. */
export function sessionMethodOf(capability: Capability): keyof LmsSession {
  return methodOf[capability];
}

/**
 * Declares a connector. Returns it unchanged after checking the declaration
 * (id, capabilities); the conformance kit checks that sessions implement exactly
 * what is declared.
 */
export function defineConnector<S extends z.ZodType, K extends z.ZodType>(
  definition: ConnectorDefinition<S, K>,
): ConnectorDefinition<S, K> {
  if (!/^[a-z][a-z0-9-]{1,40}$/.test(definition.id))
    throw new Error(`connector id "${definition.id}": lower-case letters, digits, dashes`);
  for (const c of definition.capabilities) {
    if (!capabilities.includes(c)) throw new Error(`connector ${definition.id}: unknown capability ${c}`);
  }
  return definition;
}

/** What the bridge tells clients about an installed connector: JSON Schemas for the settings and secrets forms. */
export function describeConnector(definition: ConnectorDefinition) {
  return {
    id: definition.id,
    displayName: definition.displayName,
    description: definition.description ?? null,
    capabilities: [...definition.capabilities],
    settingsSchema: z.toJSONSchema(definition.settingsSchema, { io: 'input', unrepresentable: 'any' }),
    secretsSchema: z.toJSONSchema(definition.secretsSchema, { io: 'input', unrepresentable: 'any' }),
  };
}
