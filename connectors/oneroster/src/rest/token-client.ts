import { AuthFailedError, LmsUnavailableError } from '@mathnet/lms-sdk';
import type { RestConfig } from '../settings';
import { errorForResponse, networkError } from './http-errors';

/** The OneRoster 1.2 read scopes this consumer asks for. */
export const ONEROSTER_SCOPES = [
  'https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly',
  'https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.readonly',
].join(' ');

/** Tokens are renewed this long before they expire, so a request never leaves with a dying one. */
const EXPIRY_MARGIN_MS = 30_000;

/**
 * OAuth 2.0 client credentials grant (RFC 6749 §4.4) against the OneRoster
 * token endpoint; the access token is cached until shortly before it expires.
 * The client authenticates with HTTP Basic, as the 1EdTech security framework asks.
 */
export class TokenClient {
  private cached?: { token: string; expiresAt: number };

  constructor(
    private readonly config: RestConfig,
    private readonly fetchFn: typeof fetch,
    private readonly now: () => number = Date.now,
  ) {}

  /** A valid access token (cached, or fetched now). */
  async get(signal: AbortSignal): Promise<string> {
    if (this.cached && this.cached.expiresAt > this.now()) return this.cached.token;
    return this.fetchToken(signal);
  }

  /** Forgets the cached token (after the service refused it). */
  invalidate(): void {
    this.cached = undefined;
  }

  private async fetchToken(signal: AbortSignal): Promise<string> {
    const what = 'OneRoster token request';
    const basic = Buffer.from(
      `${encodeURIComponent(this.config.clientId)}:${encodeURIComponent(this.config.clientSecret)}`,
    ).toString('base64');
    let response: Response;
    try {
      response = await this.fetchFn(this.config.tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: ONEROSTER_SCOPES }).toString(),
        signal,
      });
    } catch (error) {
      throw networkError(error, signal, what);
    }
    // RFC 6749 §5.2: a refused client is 400 invalid_client/unauthorized_client or 401.
    if (response.status === 400 || response.status === 401) {
      const error = await errorForResponse(response, what);
      throw new AuthFailedError(
        `The OneRoster token endpoint refused the client credentials (${error.message})`,
      );
    }
    if (!response.ok) throw await errorForResponse(response, what);
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = (await response.json()) as typeof body;
    } catch (error) {
      throw networkError(error, signal, what);
    }
    if (typeof body.access_token !== 'string' || body.access_token === '') {
      throw new LmsUnavailableError(`${what}: the answer has no access_token`);
    }
    const lifetimeMs =
      (typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600) * 1000;
    this.cached = {
      token: body.access_token,
      expiresAt: this.now() + Math.max(lifetimeMs - EXPIRY_MARGIN_MS, lifetimeMs / 2),
    };
    return body.access_token;
  }
}
