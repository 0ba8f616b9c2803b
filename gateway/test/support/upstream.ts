import { AuthenticationError, listen, type RunningServer } from '@mathnet/kit';
import express from 'express';

/** What an echo upstream saw of one request. */
export interface Echo {
  service: string;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A real upstream HTTP server for gateway tests. */
export interface TestUpstream {
  url: string;
  /** Requests that reached it, in order. */
  seen: Echo[];
  /** Makes `/health/ready` answer 503 (false) or 200 (true). */
  setReady(ready: boolean): void;
  close(): Promise<void>;
}

function documentOf(service: string): object {
  const shared = {
    Problem: { type: 'object', properties: { type: { type: 'string' }, status: { type: 'integer' } } },
  };
  const own =
    service === 'registry'
      ? {
          '/auth/token': {
            post: { operationId: 'token', security: [], responses: { 200: { description: 'tokens' } } },
          },
          '/v1/organisations': {
            get: {
              operationId: 'listThings',
              responses: {
                200: {
                  description: 'ok',
                  content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
                },
              },
            },
          },
        }
      : {
          '/v1/things': {
            get: {
              operationId: 'listThings',
              responses: {
                200: {
                  description: 'ok',
                  content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
                },
              },
            },
          },
        };
  return {
    openapi: '3.1.0',
    info: { title: service, version: '1' },
    security: [{ bearer: [] }],
    paths: own,
    components: {
      schemas: {
        ...shared,
        Thing: { type: 'object', properties: { [`${service}Field`]: { type: 'string' } } },
      },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}

/**
 * Starts an upstream on port 0 that serves `/openapi.json`, `/health/ready`, a
 * token endpoint (`password` "right" succeeds, anything else is `400 invalid_grant`),
 * `/slow` (never answers), `/.well-known/jwks.json` when given `jwks`, and echoes
 * every other request as JSON.
 */
export async function startUpstream(
  service: string,
  options: { jwks?: unknown } = {},
): Promise<TestUpstream> {
  const seen: Echo[] = [];
  let ready = true;
  const app = express();
  app.disable('x-powered-by');
  app.use(express.raw({ type: () => true, limit: '10mb' }));
  app.use((req, _res, next) => {
    seen.push({
      service,
      method: req.method,
      url: req.originalUrl,
      headers: req.headers,
      body: Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '',
    });
    next();
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(documentOf(service));
  });
  if (options.jwks) {
    app.get('/.well-known/jwks.json', (_req, res) => {
      res.json(options.jwks);
    });
  }
  app.get('/health/ready', (_req, res) => {
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable' });
  });
  app.post('/auth/token', (req, res) => {
    const text = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const fields: Record<string, unknown> = req.is('application/json')
      ? JSON.parse(text)
      : Object.fromEntries(new URLSearchParams(text));
    if (fields.password === 'right' || fields.client_secret === 'right') {
      const subject = Buffer.from(String(fields.username ?? fields.client_id)).toString('base64url');
      res.json({ access_token: `valid.${subject}`, token_type: 'Bearer' });
    } else {
      res.status(400).json({ error: 'invalid_grant', error_description: 'wrong credentials' });
    }
  });
  app.get('/slow', () => {
    // Never answers: the gateway's timeout has to.
  });
  app.all('/{*rest}', (_req, res) => {
    res.setHeader('x-upstream', service);
    res.json(seen.at(-1));
  });
  // The gateway cuts oversized bodies off mid-stream; that is expected here, not worth a stack trace.
  app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    if (!res.headersSent) res.status(400).json({ error: error.message });
  });
  const server: RunningServer = await listen(app, 0, '127.0.0.1');
  return {
    url: server.url,
    seen,
    setReady: (value) => {
      ready = value;
    },
    close: async () => {
      server.server.closeAllConnections();
      await server.close();
    },
  };
}

/** A TokenVerifier for tests: `valid.<subject>` is a person with that id; anything else is refused. */
export const testVerifier = {
  async verify(token: string) {
    if (!token.startsWith('valid.')) throw new AuthenticationError('The token signature is invalid');
    return { subject: token.slice('valid.'.length), kind: 'person' as const, roles: [] };
  },
};

/** A URL where nothing listens (a server started and closed again). */
export async function deadUrl(): Promise<string> {
  const server = await listen((_req, res) => res.end(), 0, '127.0.0.1');
  await server.close();
  return server.url;
}
