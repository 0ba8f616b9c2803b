import { jwksDocument } from '@mathnet/auth';
import { type Request, type Response, Router } from 'express';
import type { KeyStore } from '../identity/key-store';
import { OAuthError } from '../identity/oauth-error';
import type { TokenService } from '../identity/token-service';

function field(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function required(body: unknown, name: string): string {
  const value = field(body, name);
  if (value === undefined) throw new OAuthError('invalid_request', `The parameter ${name} is required`);
  if (value.length > 4096) throw new OAuthError('invalid_request', `The parameter ${name} is too long`);
  return value;
}

/** client_id/client_secret from HTTP Basic (RFC 6749 §2.3.1) or, failing that, the body. */
function clientCredentials(req: Request): { id: string; secret: string; basic: boolean } {
  const header = req.get('authorization');
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      return {
        id: decodeURIComponent(decoded.slice(0, colon)),
        secret: decodeURIComponent(decoded.slice(colon + 1)),
        basic: true,
      };
    }
    throw new OAuthError('invalid_client', 'Malformed Basic credentials');
  }
  return { id: required(req.body, 'client_id'), secret: required(req.body, 'client_secret'), basic: false };
}

function sendOAuthError(res: Response, error: OAuthError, basic: boolean): void {
  if (error.status === 401)
    res.setHeader('WWW-Authenticate', basic ? 'Basic realm="mathnet"' : 'Bearer realm="mathnet"');
  res.status(error.status).json({ error: error.error, error_description: error.description });
}

/** The OAuth 2.0 token endpoint (RFC 6749 §3.2) and the JWKS (RFC 7517). */
export function authRouter(tokens: TokenService, keys: KeyStore): Router {
  const router = Router();
  router.post('/auth/token', async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    let basic = false;
    try {
      if (!req.is(['application/x-www-form-urlencoded', 'application/json'])) {
        throw new OAuthError(
          'invalid_request',
          'Send the parameters as application/x-www-form-urlencoded or JSON',
        );
      }
      const grantType = required(req.body, 'grant_type');
      switch (grantType) {
        case 'password':
          res.json(
            await tokens.passwordGrant(required(req.body, 'username'), required(req.body, 'password')),
          );
          return;
        case 'refresh_token':
          res.json(await tokens.refreshGrant(required(req.body, 'refresh_token')));
          return;
        case 'client_credentials': {
          const client = clientCredentials(req);
          basic = client.basic;
          res.json(await tokens.clientCredentialsGrant(client.id, client.secret));
          return;
        }
        default:
          throw new OAuthError('unsupported_grant_type', `The grant type ${grantType} is not supported`);
      }
    } catch (error) {
      if (error instanceof OAuthError) sendOAuthError(res, error, basic);
      else throw error;
    }
  });
  router.get('/.well-known/jwks.json', async (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(jwksDocument(await keys.activeKeys()));
  });
  return router;
}
