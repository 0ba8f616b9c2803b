import type { Logger } from '@mathnet/kit';
import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import { type JsonObject, mergeOpenApi, type ServiceDocument } from './openapi-merge';
import type { Upstream } from './upstream';

/** Options of {@link ApiDocs}. */
export interface ApiDocsOptions {
  logger: Logger;
  /** How long a merged document is served before the upstreams are asked again; default 60 s. */
  cacheMs?: number;
  /** How long a merged document that misses a service is kept; default 5 s, so it heals soon. */
  incompleteCacheMs?: number;
  /** Time an upstream gets to answer `GET /openapi.json`; default 3 s. */
  timeoutMs?: number;
}

const info = {
  title: 'mathnet API',
  version: '1',
  description:
    'Every service of the mathnet platform behind the gateway. Get a token at `POST /api/auth/token` ' +
    '(OAuth 2.0: password, refresh_token, client_credentials) and send it as `Authorization: Bearer <token>`.',
};

/** The merged OpenAPI document of all upstreams, cached, and Swagger UI over it. */
export class ApiDocs {
  readonly #upstreams: Upstream[];
  readonly #options: Required<ApiDocsOptions>;
  #cached: { document: JsonObject; until: number } | undefined;
  #inflight: Promise<JsonObject> | undefined;

  constructor(upstreams: Upstream[], options: ApiDocsOptions) {
    this.#upstreams = upstreams;
    this.#options = { cacheMs: 60_000, incompleteCacheMs: 5_000, timeoutMs: 3_000, ...options };
  }

  /** The merged document; concurrent callers share one round of fetches. */
  async document(): Promise<JsonObject> {
    if (this.#cached && this.#cached.until > Date.now()) return this.#cached.document;
    this.#inflight ??= this.#build().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #build(): Promise<JsonObject> {
    const results = await Promise.all(
      this.#upstreams.map(async (upstream): Promise<ServiceDocument | string> => {
        try {
          const { status, body } = await upstream.getJson('/openapi.json', this.#options.timeoutMs);
          const isDocument =
            status === 200 &&
            body !== null &&
            typeof body === 'object' &&
            typeof (body as JsonObject).openapi === 'string';
          if (isDocument) return { service: upstream.name, document: body as JsonObject };
          this.#options.logger.warn({ service: upstream.name, status }, 'api docs: no OpenAPI document');
        } catch (error) {
          this.#options.logger.warn(
            { service: upstream.name, err: error },
            'api docs: upstream did not answer',
          );
        }
        return upstream.name;
      }),
    );
    const documents = results.filter((r): r is ServiceDocument => typeof r !== 'string');
    const unavailable = results.filter((r): r is string => typeof r === 'string');
    const document = mergeOpenApi(documents, unavailable, info);
    const ttl = unavailable.length ? this.#options.incompleteCacheMs : this.#options.cacheMs;
    this.#cached = { document, until: Date.now() + ttl };
    return document;
  }

  /** Routes to mount at `/api/docs`: `openapi.json`, and Swagger UI at `/api/docs/`. */
  router(): Router {
    const router = Router();
    router.get('/openapi.json', async (_req, res) => {
      res.json(await this.document());
    });
    // Swagger UI's page loads its assets relative to itself, so it must be served from the folder URL.
    router.get('/', (req, res, next) => {
      if (req.originalUrl.split('?', 1)[0]!.endsWith('/')) return next();
      const query = req.originalUrl.slice(req.originalUrl.split('?', 1)[0]!.length);
      res.redirect(301, `${req.baseUrl}/${query}`);
    });
    const options = {
      customSiteTitle: 'mathnet API',
      swaggerOptions: { url: '/api/docs/openapi.json', validatorUrl: null, persistAuthorization: true },
    };
    // serveFiles (not serve) keeps this instance's settings out of the module-wide state of swagger-ui-express.
    router.use('/', swaggerUi.serveFiles(undefined, options));
    router.get('/', swaggerUi.setup(undefined, options));
    return router;
  }
}
