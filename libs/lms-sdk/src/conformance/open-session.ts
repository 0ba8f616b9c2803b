import { AssertionError } from 'chai';
import type { ConnectorDefinition, ConnectorLogger, LmsSession } from '../connector';
import type { ConformanceConfig } from './conformance-options';

/** One logged line, as the kit's capturing logger saw it. */
export interface LoggedLine {
  level: 'debug' | 'info' | 'warn';
  message: string;
  details?: Record<string, unknown>;
}

/** A session opened the way the bridge opens one, with what it logged. */
export interface OpenedSession {
  session: LmsSession;
  /** The validated settings and secrets the session was connected with. */
  settings: unknown;
  secrets: unknown;
  logs: LoggedLine[];
  /** Closes the session and the configuration; then checks that no secret was logged. */
  close(): Promise<void>;
}

/**
 * Validates the configuration with the connector's schemas (as the bridge does),
 * connects with a capturing logger and returns the session.
 */
export async function openSession(
  definition: ConnectorDefinition,
  config: ConformanceConfig,
): Promise<OpenedSession> {
  const settings = definition.settingsSchema.safeParse(config.settings);
  if (!settings.success) {
    await config.close?.();
    throw new AssertionError(
      `the configuration's settings do not pass settingsSchema: ${settings.error.message}`,
    );
  }
  const secrets = definition.secretsSchema.safeParse(config.secrets);
  if (!secrets.success) {
    await config.close?.();
    // The zod message may quote the secret values, so it is not repeated here.
    throw new AssertionError(
      `the configuration's secrets do not pass secretsSchema (fields: ${secrets.error.issues.map((i) => i.path.join('.')).join(', ')})`,
    );
  }
  const logs: LoggedLine[] = [];
  const logger: ConnectorLogger = {
    debug: (message, details) => logs.push({ level: 'debug', message, details }),
    info: (message, details) => logs.push({ level: 'info', message, details }),
    warn: (message, details) => logs.push({ level: 'warn', message, details }),
  };
  let session: LmsSession;
  try {
    session = definition.connect({
      settings: settings.data,
      secrets: secrets.data,
      fetch: config.fetch,
      logger,
    });
  } catch (error) {
    await config.close?.();
    throw error;
  }
  return {
    session,
    settings: settings.data,
    secrets: secrets.data,
    logs,
    async close() {
      try {
        await session.close?.();
      } finally {
        await config.close?.();
      }
      checkNoSecretsLogged(logs, secrets.data);
    },
  };
}

/** Every string (of 4+ characters) inside the secrets: what must never appear in a log line or error message. */
export function secretStrings(secrets: unknown): string[] {
  const found: string[] = [];
  const walk = (value: unknown) => {
    if (typeof value === 'string') {
      if (value.length >= 4) found.push(value);
    } else if (Array.isArray(value)) {
      for (const v of value) walk(v);
    } else if (value && typeof value === 'object') {
      for (const v of Object.values(value)) walk(v);
    }
  };
  walk(secrets);
  return found;
}

/** Throws when a logged message or its details contain a secret value. */
export function checkNoSecretsLogged(logs: LoggedLine[], secrets: unknown): void {
  const values = secretStrings(secrets);
  for (const line of logs) {
    const text = `${line.message} ${safeJson(line.details)}`;
    if (values.some((v) => text.includes(v))) {
      throw new AssertionError(
        `a secret value was logged (${line.level}: "${line.message}"); never log secrets`,
      );
    }
  }
}

/** Throws when an error's message (or its cause's) contains a secret value. */
export function checkNoSecretsInError(error: unknown, secrets: unknown): void {
  const values = secretStrings(secrets);
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    const message = current.message;
    if (values.some((v) => message.includes(v))) {
      throw new AssertionError(
        `an error message contains a secret value (${current.name}); never put secrets in errors`,
      );
    }
    current = current.cause;
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}
