import type { ConnectorDefinition } from '@mathnet/lms-sdk';

/** The built-in connectors, loaded when MATHNET_CONNECTORS is not set. */
export const builtInConnectors = ['@mathnet/connector-oneroster', '@mathnet/connector-moodle'];

function isDefinition(value: unknown): value is ConnectorDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.id === 'string' && typeof v.displayName === 'string' && typeof v.connect === 'function' && Array.isArray(v.capabilities);
}

/**
 * Loads connectors by package name (each package's default export is its
 * definition), so a school's own connector is installed with npm and named in
 * configuration, never imported by hand in the service.
 */
export async function loadConnectors(packageNames: string[]): Promise<Map<string, ConnectorDefinition>> {
  const loaded = new Map<string, ConnectorDefinition>();
  for (const name of packageNames) {
    let module: { default?: unknown };
    try {
      module = (await import(name)) as { default?: unknown };
    } catch (error) {
      throw new Error(`MATHNET_CONNECTORS: cannot load the connector package ${name}: ${(error as Error).message}`);
    }
    const definition = module.default;
    if (!isDefinition(definition)) throw new Error(`MATHNET_CONNECTORS: ${name} has no connector definition as its default export`);
    if (loaded.has(definition.id)) throw new Error(`MATHNET_CONNECTORS: two packages define the connector id ${definition.id}`);
    loaded.set(definition.id, definition);
  }
  return loaded;
}
