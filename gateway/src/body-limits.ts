/** The body sizes the gateway lets through. */
export interface BodyLimits {
  /** Every route but the large-upload ones. */
  maxBodyBytes: number;
  /** The large-upload routes ({@link largeUploadRoutes}). */
  maxImportBytes: number;
}

/** A route whose body may be as large as `maxImportBytes` (it is streamed through, never held). */
interface LargeUploadRoute {
  method: string;
  service: string;
  /** Matches the path at the service (without the query). */
  path: RegExp;
}

/**
 * Routes that carry large files: a OneRoster CSV zip for lms-bridge's import.
 * Everything else keeps the small limit, so a client cannot stream hundreds of
 * megabytes into a service that expects a JSON document.
 */
export const largeUploadRoutes: readonly LargeUploadRoute[] = [
  { method: 'POST', service: 'lms-bridge', path: /^\/v1\/connections\/[^/]+\/imports\/?$/ },
];

/** The largest body `method` on `pathAndQuery` of `service` may send. */
export function bodyLimitFor(
  method: string | undefined,
  service: string,
  pathAndQuery: string,
  limits: BodyLimits,
): number {
  for (const route of largeUploadRoutes) {
    if (route.method !== method || route.service !== service) continue;
    const q = pathAndQuery.indexOf('?');
    if (route.path.test(q >= 0 ? pathAndQuery.slice(0, q) : pathAndQuery)) return limits.maxImportBytes;
  }
  return limits.maxBodyBytes;
}
