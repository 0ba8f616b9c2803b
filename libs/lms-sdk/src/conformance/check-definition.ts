import { AssertionError } from 'chai';
import {
  type ConnectorDefinition,
  capabilities,
  describeConnector,
  type LmsSession,
  sessionMethodOf,
} from '../connector';

/** Setting names that look like secrets: these belong in secretsSchema (settings are shown to admins). */
const secretLikeName = /(password|passwd|secret|token|apikey|api_key|privatekey|private_key)$/i;

function isZodSchema(value: unknown): boolean {
  // Not `instanceof ZodType`: a connector may resolve its own copy of zod.
  return (
    !!value &&
    typeof value === 'object' &&
    '_zod' in value &&
    typeof (value as { safeParse?: unknown }).safeParse === 'function'
  );
}

/**
 * Checks a connector's declaration: id format, display name, known and unique
 * capabilities, zod schemas for settings and secrets that `describeConnector`
 * turns into JSON Schemas of objects, and no secret-looking field in settings.
 */
export function checkDefinition(definition: ConnectorDefinition): void {
  if (!definition || typeof definition !== 'object') {
    throw new AssertionError(
      'the connector definition must be an object (the default export of defineConnector)',
    );
  }
  if (typeof definition.id !== 'string' || !/^[a-z][a-z0-9-]{1,40}$/.test(definition.id)) {
    throw new AssertionError(
      `connector id must be lower-case letters, digits and dashes (2-41 chars); got ${JSON.stringify(definition.id)}`,
    );
  }
  if (typeof definition.displayName !== 'string' || definition.displayName.trim() === '') {
    throw new AssertionError(`connector ${definition.id}: displayName must be a non-empty string`);
  }
  if (!Array.isArray(definition.capabilities) || definition.capabilities.length === 0) {
    throw new AssertionError(`connector ${definition.id}: capabilities must list at least one capability`);
  }
  const seen = new Set<string>();
  for (const c of definition.capabilities) {
    if (!capabilities.includes(c)) {
      throw new AssertionError(
        `connector ${definition.id}: unknown capability ${JSON.stringify(c)}; expected one of ${capabilities.join(', ')}`,
      );
    }
    if (seen.has(c))
      throw new AssertionError(`connector ${definition.id}: capability ${c} is declared twice`);
    seen.add(c);
  }
  for (const key of ['settingsSchema', 'secretsSchema'] as const) {
    if (!isZodSchema(definition[key]))
      throw new AssertionError(`connector ${definition.id}: ${key} must be a zod schema`);
  }
  if (typeof definition.connect !== 'function') {
    throw new AssertionError(`connector ${definition.id}: connect must be a function`);
  }
  let described: ReturnType<typeof describeConnector>;
  try {
    described = describeConnector(definition);
  } catch (error) {
    throw new AssertionError(
      `connector ${definition.id}: describeConnector failed (${(error as Error).message}); use schemas JSON Schema can express`,
    );
  }
  for (const key of ['settingsSchema', 'secretsSchema'] as const) {
    const schema = described[key] as { type?: unknown; properties?: Record<string, unknown> };
    if (schema.type !== 'object') {
      throw new AssertionError(
        `connector ${definition.id}: ${key} must describe an object (its JSON Schema type is ${JSON.stringify(schema.type)})`,
      );
    }
  }
  const settingNames = Object.keys((described.settingsSchema as { properties?: object }).properties ?? {});
  const leaking = settingNames.filter((name) => secretLikeName.test(name));
  if (leaking.length > 0) {
    throw new AssertionError(
      `connector ${definition.id}: settings ${leaking.join(', ')} look like secrets; move them to secretsSchema (settings are visible to admins)`,
    );
  }
}

/** The session methods that depend on a capability. */
const capabilityMethods = capabilities.map((c) => [c, sessionMethodOf(c)] as const);

/**
 * Checks that a session implements `test()` and exactly the methods of the
 * declared capabilities: none missing, none undeclared.
 */
export function checkCapabilities(definition: ConnectorDefinition, session: LmsSession): void {
  if (!session || typeof session !== 'object') {
    throw new AssertionError(`connector ${definition.id}: connect() must return a session object`);
  }
  if (typeof session.test !== 'function') {
    throw new AssertionError(`connector ${definition.id}: the session must implement test()`);
  }
  const problems: string[] = [];
  for (const [capability, method] of capabilityMethods) {
    const declared = definition.capabilities.includes(capability);
    const implemented = typeof session[method] === 'function';
    if (declared && !implemented) problems.push(`declares ${capability} but the session has no ${method}()`);
    if (!declared && implemented) problems.push(`implements ${method}() but does not declare ${capability}`);
  }
  if (problems.length > 0) throw new AssertionError(`connector ${definition.id}: ${problems.join('; ')}`);
}
