import { InputError } from '@mathnet/kit';

// A dot segment would let an upstream normalise `/auth/../v1/...` into a path the gateway never checked.
const dotSegment = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;

/** `pathAndQuery` with a leading slash; a 400 InputError when its path has `.` or `..` segments. */
export function checkedPath(pathAndQuery: string): string {
  const q = pathAndQuery.indexOf('?');
  const path = q >= 0 ? pathAndQuery.slice(0, q) : pathAndQuery;
  if (dotSegment.test(path)) throw new InputError('The path must not contain "." or ".." segments');
  return pathAndQuery.startsWith('/') ? pathAndQuery : `/${pathAndQuery}`;
}

/** Names under `/api/` that the gateway answers itself; never a service. */
export const reservedNames: ReadonlySet<string> = new Set(['auth', 'docs']);

const plainName = /^[a-z][a-z0-9-]*$/;

/** A request target `/api/<service>/<rest>` taken apart. */
export interface ApiTarget {
  service: string;
  /** What goes to the service: `/<rest>?<query>` (at least `/`), not yet checked for dot segments. */
  pathAndQuery: string;
}

/**
 * Splits a request target of the form `/api/<service>[/<rest>][?<query>]` with a
 * plain lower-case service name (not `auth` or `docs`), the way express's
 * `app.use('/api/:service')` would; undefined for anything else (upper case,
 * percent-encoded names, absolute-form targets…), which express then handles.
 */
export function apiTarget(url: string): ApiTarget | undefined {
  if (!url.startsWith('/api/')) return undefined;
  let end = 5;
  while (end < url.length) {
    const c = url.charCodeAt(end);
    if (c === 47 /* / */ || c === 63 /* ? */) break;
    end++;
  }
  const service = url.slice(5, end);
  if (!plainName.test(service) || reservedNames.has(service)) return undefined;
  const rest = url.slice(end);
  return { service, pathAndQuery: rest === '' || rest.startsWith('?') ? `/${rest}` : rest };
}
