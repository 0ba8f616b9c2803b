import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConnectorDefinition } from '@mathnet/lms-sdk';

/** The built-in connectors, loaded when MATHNET_CONNECTORS is not set. */
export const builtInConnectors = ['@mathnet/connector-oneroster', '@mathnet/connector-moodle'];

/** Short names accepted for the built-ins. */
const aliases: Record<string, string> = {
  oneroster: '@mathnet/connector-oneroster',
  moodle: '@mathnet/connector-moodle',
};

function isDefinition(value: unknown): value is ConnectorDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === 'string' &&
    typeof v.displayName === 'string' &&
    typeof v.connect === 'function' &&
    Array.isArray(v.capabilities)
  );
}

/** Imports a package: from mathnet's own dependencies, else from `resolveFrom` (where a school installed it). */
async function importPackage(name: string, resolveFrom: string): Promise<{ default?: unknown }> {
  try {
    return (await import(name)) as { default?: unknown };
  } catch (first) {
    let path: string;
    try {
      path = createRequire(join(resolveFrom, 'package.json')).resolve(name);
    } catch {
      throw first;
    }
    return (await import(pathToFileURL(path).href)) as { default?: unknown };
  }
}

/**
 * Loads connectors by package name (each package's default export is its
 * definition), so a school's own connector is installed with npm and named in
 * configuration, never imported by hand in the service. Packages are resolved
 * from mathnet's dependencies, then from `resolveFrom` (default: the working directory).
 */
export async function loadConnectors(
  packageNames: string[],
  resolveFrom = process.cwd(),
): Promise<Map<string, ConnectorDefinition>> {
  const loaded = new Map<string, ConnectorDefinition>();
  for (const raw of packageNames) {
    const name = aliases[raw] ?? raw;
    let module: { default?: unknown };
    try {
      module = await importPackage(name, resolveFrom);
    } catch (error) {
      throw new Error(
        `MATHNET_CONNECTORS: cannot load the connector package ${name}: ${(error as Error).message}`,
      );
    }
    const definition = module.default;
    if (!isDefinition(definition))
      throw new Error(`MATHNET_CONNECTORS: ${name} has no connector definition as its default export`);
    if (loaded.has(definition.id))
      throw new Error(`MATHNET_CONNECTORS: two packages define the connector id ${definition.id}`);
    loaded.set(definition.id, definition);
  }
  return loaded;
}
