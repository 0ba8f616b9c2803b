import { isDeepStrictEqual } from 'node:util';

/** A JSON object as read from an OpenAPI document. */
export type JsonObject = { [key: string]: unknown };

/** One upstream's OpenAPI document. */
export interface ServiceDocument {
  service: string;
  document: JsonObject;
}

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Where a path of a service's document is served by the gateway. */
export function gatewayPath(service: string, path: string): string {
  if (service === 'registry' && (path === '/auth' || path.startsWith('/auth/'))) return `/api${path}`;
  if (service === 'registry' && path.startsWith('/.well-known/')) return path;
  return `/api/${service}${path}`;
}

/** Copies `value` with every `$ref` to a renamed component pointing at its new name. */
function rewriteRefs(value: unknown, renames: Map<string, string>): unknown {
  if (renames.size === 0) return value;
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, renames));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      key === '$ref' && typeof item === 'string' ? (renames.get(item) ?? item) : rewriteRefs(item, renames);
  }
  return out;
}

/** Security requirements with renamed security schemes. */
function renameSchemes(requirements: unknown, schemeRenames: Map<string, string>): unknown {
  if (!Array.isArray(requirements) || schemeRenames.size === 0) return requirements;
  return requirements.map((requirement) =>
    isObject(requirement)
      ? Object.fromEntries(
          Object.entries(requirement).map(([name, scopes]) => [schemeRenames.get(name) ?? name, scopes]),
        )
      : requirement,
  );
}

function freeName(taken: JsonObject, wanted: string): string {
  let name = wanted;
  for (let n = 2; name in taken; n++) name = `${wanted}${n}`;
  return name;
}

/**
 * Adds a service's components to the merged ones: a component is shared when an
 * equal one (references included) is there already, else it gets the service's
 * name as prefix. Renaming one can make another that refers to it differ, so the
 * check repeats until no more names change. Returns the `$ref` and
 * security-scheme renames to apply to the service's paths.
 */
function placeComponents(
  service: string,
  own: JsonObject,
  components: Record<string, JsonObject>,
): { renames: Map<string, string>; schemeRenames: Map<string, string> } {
  const renames = new Map<string, string>();
  const schemeRenames = new Map<string, string>();
  const entries: { kind: string; name: string; definition: unknown; ref: string }[] = [];
  for (const [kind, byName] of Object.entries(own)) {
    if (!isObject(byName)) continue;
    for (const [name, definition] of Object.entries(byName)) {
      entries.push({ kind, name, definition, ref: `#/components/${kind}/${name}` });
    }
  }
  const shared = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    shared.clear();
    for (const { kind, name, definition, ref } of entries) {
      const existing = components[kind]?.[name];
      if (renames.has(ref) || existing === undefined) continue;
      if (isDeepStrictEqual(existing, rewriteRefs(definition, renames))) {
        shared.add(ref);
        continue;
      }
      components[kind] ??= {};
      const renamed = freeName(components[kind], `${service}_${name}`);
      components[kind][renamed] = definition; // reserved; replaced below with references rewritten
      renames.set(ref, `#/components/${kind}/${renamed}`);
      if (kind === 'securitySchemes') schemeRenames.set(name, renamed);
      changed = true;
    }
  }
  for (const { kind, name, definition, ref } of entries) {
    if (shared.has(ref)) continue;
    const target = renames.get(ref)?.slice(`#/components/${kind}/`.length) ?? name;
    components[kind] ??= {};
    components[kind][target] = rewriteRefs(definition, renames);
  }
  return { renames, schemeRenames };
}

/**
 * Merges the OpenAPI 3.1 documents of the upstreams into the gateway's one:
 * paths moved to where the gateway serves them, components shared when equal and
 * prefixed with the service name (`courses_Person`) when two services define the
 * same name differently, every operation tagged and secured as its service says.
 * `unavailable` lists the services whose document could not be read (`x-unavailable`).
 */
export function mergeOpenApi(
  documents: ServiceDocument[],
  unavailable: string[],
  info: { title: string; version: string; description?: string },
): JsonObject {
  const components: Record<string, JsonObject> = {};
  const paths: JsonObject = {};
  const tags = new Map<string, unknown>();
  const operationIds = new Set<string>();

  for (const { service, document } of documents) {
    const { renames, schemeRenames } = placeComponents(
      service,
      isObject(document.components) ? document.components : {},
      components,
    );

    const serviceSecurity = renameSchemes(document.security, schemeRenames);
    for (const tag of Array.isArray(document.tags) ? document.tags : []) {
      if (isObject(tag) && typeof tag.name === 'string' && !tags.has(tag.name)) tags.set(tag.name, tag);
    }
    for (const [path, item] of Object.entries(isObject(document.paths) ? document.paths : {})) {
      if (!isObject(item)) continue;
      const target = gatewayPath(service, path);
      const pathItem = { ...(isObject(paths[target]) ? paths[target] : {}) };
      for (const [key, value] of Object.entries(rewriteRefs(item, renames) as JsonObject)) {
        if (!methods.includes(key) || !isObject(value)) {
          pathItem[key] ??= value;
          continue;
        }
        const operation: JsonObject = { ...value };
        if (!Array.isArray(operation.tags) || operation.tags.length === 0) operation.tags = [service];
        operation.security =
          operation.security !== undefined
            ? renameSchemes(operation.security, schemeRenames)
            : (serviceSecurity ?? []);
        if (typeof operation.operationId === 'string') {
          const id = operationIds.has(operation.operationId)
            ? `${service}_${operation.operationId}`
            : operation.operationId;
          operation.operationId = id;
          operationIds.add(id);
        }
        pathItem[key] = operation;
      }
      paths[target] = pathItem;
    }
  }

  const merged: JsonObject = {
    openapi: '3.1.0',
    info,
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components,
  };
  if (tags.size > 0) merged.tags = [...tags.values()];
  merged['x-unavailable'] = unavailable;
  return merged;
}
