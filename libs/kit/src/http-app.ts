import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { notFoundHandler, problemHandler } from './problem-handler';
import { keepRawBody } from './raw-body';

/** A named readiness check: resolves when the dependency answers, rejects (or times out) when not. */
export type ReadinessCheck = () => Promise<unknown>;

export interface HttpAppOptions {
  /** Service name, used in logs and metrics labels. */
  name: string;
  logger: Logger;
  /** Limit of JSON/form bodies, e.g. `1mb`. */
  bodyLimit?: string;
  /** Checks reported by `/health/ready`, by name. */
  readiness?: Record<string, ReadinessCheck>;
  /** Routers mounted after the common middleware, in order. */
  routes: (app: Express) => void;
  /** Parse JSON and form bodies (the gateway streams bodies through and turns this off). */
  parseBodies?: boolean;
  /** Collect default process metrics (once per process is enough; standalone turns it off for all but one). */
  processMetrics?: boolean;
  /** express's `trust proxy` (which peers may set X-Forwarded-*); default `loopback`. */
  trustProxy?: string | boolean | number;
}

const checkTimeoutMs = 2000;

/** The request's id: a well-formed incoming `x-request-id`, or a new UUID; echoed in the answer. */
function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && /^[\w-]{1,128}$/.test(incoming) ? incoming : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}

const unlogged = (req: IncomingMessage) => (req.url ?? '').startsWith('/health') || req.url === '/metrics';

/**
 * Request ids and one log line per request: debug for 2xx/3xx, info for 4xx, error for 5xx.
 * pino-http serialises the whole request (headers, redaction) into a child logger for every
 * request, whatever the level, which costs more than many a handler; when the level writes
 * no 2xx/4xx line (warn and above, as a loaded service runs), a light middleware sets the
 * same `req.id` and header and logs only the 5xx answers. The level is read once, here.
 */
function requestLogging(logger: Logger): RequestHandler {
  if (logger.isLevelEnabled('info')) {
    return pinoHttp({
      logger,
      genReqId: requestId,
      autoLogging: { ignore: unlogged },
      customLogLevel: (_req, res, error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug',
    });
  }
  return (req, res, next) => {
    req.id = requestId(req, res);
    req.log = logger;
    if (!unlogged(req)) {
      const started = Date.now();
      res.on('finish', () => {
        if (res.statusCode < 500) return;
        logger.error(
          {
            reqId: req.id,
            req: { method: req.method, url: req.originalUrl },
            res: { statusCode: res.statusCode },
            responseTime: Date.now() - started,
          },
          'request errored',
        );
      });
    }
    next();
  };
}

async function runCheck(check: ReadinessCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${checkTimeoutMs} ms`)), checkTimeoutMs);
      }),
    ]);
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The express 5 app every mathnet process serves: request ids, JSON logs, body
 * limits, `/health/live`, `/health/ready`, `/metrics`, then the routes, then
 * 404 and RFC 9457 problem+json errors.
 */
export function createHttpApp(options: HttpAppOptions): { app: Express; metrics: Registry } {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? 'loopback');
  const metrics = new Registry();
  metrics.setDefaultLabels({ service: options.name });
  if (options.processMetrics !== false) collectDefaultMetrics({ register: metrics });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [metrics],
  });

  app.use(requestLogging(options.logger));
  app.use((req, res, next) => {
    const end = duration.startTimer({ method: req.method });
    res.on('finish', () => {
      const route =
        (req.route?.path as string | undefined) ?? (res.statusCode === 404 ? 'unmatched' : 'other');
      end({ route: `${req.baseUrl}${route}`, status: String(res.statusCode) });
    });
    next();
  });

  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/health/ready', async (_req, res) => {
    const entries = await Promise.all(
      Object.entries(options.readiness ?? {}).map(
        async ([name, check]) => [name, await runCheck(check)] as const,
      ),
    );
    const checks = Object.fromEntries(entries);
    const ok = entries.every(([, status]) => status === 'ok');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', checks });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });

  if (options.parseBodies !== false) {
    const limit = options.bodyLimit ?? '1mb';
    app.use(express.json({ limit, type: ['application/json', 'application/*+json'], verify: keepRawBody }));
    app.use(express.urlencoded({ limit, extended: false, verify: keepRawBody }));
  }
  options.routes(app);
  app.use(notFoundHandler);
  app.use(problemHandler(options.logger));
  return { app, metrics };
}

export type { Router };
