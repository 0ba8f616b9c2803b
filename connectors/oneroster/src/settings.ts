import { z } from 'zod';

/** Non-secret settings of a OneRoster connection. Without `baseUrl` the connection only imports CSV archives. */
export const oneRosterSettingsSchema = z.object({
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(
      'Root of the OneRoster 1.2 REST service, before /ims/oneroster (e.g. https://sis.example.org). Leave empty to import CSV archives only.',
    ),
  tokenUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('OAuth 2.0 token endpoint (client credentials). Default: <baseUrl>/token'),
  pageSize: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .optional()
    .describe('Records per request and per page (default 500)'),
});

/** Secrets of a OneRoster connection: the OAuth 2.0 client credentials of the REST service. */
export const oneRosterSecretsSchema = z.object({
  clientId: z.string().trim().min(1).optional().describe('OAuth 2.0 client id'),
  clientSecret: z.string().min(1).optional().describe('OAuth 2.0 client secret'),
});

export type OneRosterSettings = z.infer<typeof oneRosterSettingsSchema>;
export type OneRosterSecrets = z.infer<typeof oneRosterSecretsSchema>;

/** Everything the REST consumer needs. */
export interface RestConfig {
  /** Service root without trailing slash; endpoints are `${baseUrl}/ims/oneroster/...`. */
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

/** What a connection is: CSV imports only, REST (plus CSV imports), or misconfigured (with why). */
export type ConnectionMode =
  | { kind: 'csv' }
  | { kind: 'rest'; rest: RestConfig }
  | { kind: 'invalid'; problem: string };

/** The service root: no trailing slash, and without `/ims/oneroster/...` when an admin pasted a full endpoint. */
export function normaliseBaseUrl(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/ims\/oneroster(\/.*)?$/, '');
}

/**
 * Decides the mode from settings and secrets. REST needs baseUrl with both
 * clientId and clientSecret; credentials without a baseUrl are a mistake too
 * (they would be silently unused).
 */
export function connectionMode(settings: OneRosterSettings, secrets: OneRosterSecrets): ConnectionMode {
  const { clientId, clientSecret } = secrets;
  if (!settings.baseUrl) {
    if (clientId || clientSecret || settings.tokenUrl) {
      return {
        kind: 'invalid',
        problem:
          'OneRoster: clientId/clientSecret or tokenUrl are set but baseUrl is not; set baseUrl for the REST service, or remove them to import CSV archives only',
      };
    }
    return { kind: 'csv' };
  }
  if (!clientId || !clientSecret) {
    const missing = [!clientId && 'clientId', !clientSecret && 'clientSecret'].filter(Boolean).join(' and ');
    return {
      kind: 'invalid',
      problem: `OneRoster REST (baseUrl is set) needs the OAuth 2.0 client credentials: ${missing} missing`,
    };
  }
  const baseUrl = normaliseBaseUrl(settings.baseUrl);
  return {
    kind: 'rest',
    rest: { baseUrl, tokenUrl: settings.tokenUrl ?? `${baseUrl}/token`, clientId, clientSecret },
  };
}
