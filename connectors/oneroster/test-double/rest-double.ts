import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type EntityType, entityOrder } from '@mathnet/lms-sdk';
import express, { type Request, type Response } from 'express';
import { type District, type DistrictData, districtData } from './district';
import { parseFilter } from './filter';
import { restCollections, toRestJson } from './rest-json';

/** How the double behaves right now (tests flip these between calls). */
export interface OneRosterDoubleState {
  /** `down`: every call answers 503; `rate-limited`: 429 with Retry-After. */
  mode: 'ok' | 'down' | 'rate-limited';
  /** Retry-After of the 429 answers, in seconds. */
  retryAfterSeconds: number;
  /** In `rate-limited` mode, how many calls get 429 before the double answers again (Infinity: all). */
  rateLimitedCalls: number;
  /** Access tokens issued so far. */
  tokensIssued: number;
  /** Every call: method, path and query (to check paging and filters). */
  calls: { method: string; path: string; query: Record<string, string> }[];
}

/** Options of {@link createOneRosterDouble}. */
export interface OneRosterDoubleOptions {
  /** Records to serve (default: a small generated district). */
  data?: Partial<DistrictData>;
  district?: District;
  clientId?: string;
  clientSecret?: string;
  tokenTtlSeconds?: number;
  /** The largest `limit` honoured (default 1000); more is capped, as services do. */
  maxLimit?: number;
}

/** A OneRoster 1.2 REST service in process, over in-memory data. */
export interface OneRosterRestDouble {
  app: express.Express;
  /** The records served; tests may change them between calls (e.g. to produce a delta). */
  data: DistrictData;
  state: OneRosterDoubleState;
  clientId: string;
  clientSecret: string;
  /** Invalidates every issued token (the next call with one gets 401). */
  revokeTokens(): void;
  /** Listens on 127.0.0.1 on a free port; `url` is the service root (the connector's baseUrl). */
  start(): Promise<{ url: string; close(): Promise<void> }>;
}

/** The imsx_StatusInfo body the binding uses for errors. */
export function imsxError(codeMinor: string, description: string) {
  return {
    imsx_codeMajor: 'failure',
    imsx_severity: 'error',
    imsx_description: description,
    imsx_CodeMinor: {
      imsx_codeMinorField: [
        { imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: codeMinor },
      ],
    },
  };
}

function clientOf(req: Request): { id?: string; secret?: string } {
  const header = req.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      return {
        id: decodeURIComponent(decoded.slice(0, colon)),
        secret: decodeURIComponent(decoded.slice(colon + 1)),
      };
    }
  }
  const body = (req.body ?? {}) as Record<string, string | undefined>;
  return { id: body.client_id, secret: body.client_secret };
}

const emptyData = (): DistrictData => ({
  orgs: [],
  academicSessions: [],
  courses: [],
  classes: [],
  users: [],
  enrollments: [],
  lineItems: [],
  results: [],
});

/**
 * Creates the OneRoster REST double: the token endpoint (`POST /token`, client
 * credentials, HTTP Basic or form fields), the rostering and gradebook
 * collections with `limit`/`offset`/`X-Total-Count`/`Link`, `filter`, `sort`,
 * `orderBy`, one-record reads, Bearer checks answering 401 with imsx_StatusInfo,
 * and the `down` and `rate-limited` modes.
 */
export function createOneRosterDouble(options: OneRosterDoubleOptions = {}): OneRosterRestDouble {
  const data: DistrictData = {
    ...emptyData(),
    ...(options.district ? districtData(options.district) : {}),
    ...options.data,
  };
  const clientId = options.clientId ?? 'mathnet-client';
  const clientSecret = options.clientSecret ?? 'double-secret-value';
  const ttl = options.tokenTtlSeconds ?? 3600;
  const maxLimit = options.maxLimit ?? 1000;
  const tokens = new Map<string, number>();
  const state: OneRosterDoubleState = {
    mode: 'ok',
    retryAfterSeconds: 1,
    rateLimitedCalls: Number.POSITIVE_INFINITY,
    tokensIssued: 0,
    calls: [],
  };

  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    state.calls.push({
      method: req.method,
      path: req.path,
      query: { ...(req.query as Record<string, string>) },
    });
    if (state.mode === 'down') {
      res.status(503).json(imsxError('server_busy', 'The service is down'));
      return;
    }
    if (state.mode === 'rate-limited' && state.rateLimitedCalls > 0) {
      state.rateLimitedCalls--;
      res
        .status(429)
        .set('Retry-After', String(state.retryAfterSeconds))
        .json(imsxError('server_busy', 'Too many requests'));
      return;
    }
    next();
  });

  app.post('/token', express.urlencoded({ extended: false }), (req, res) => {
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    if (body.grant_type !== 'client_credentials') {
      res.status(400).json({ error: 'unsupported_grant_type' });
      return;
    }
    const client = clientOf(req);
    if (client.id !== clientId || client.secret !== clientSecret) {
      res.status(401).set('WWW-Authenticate', 'Basic realm="oneroster"').json({ error: 'invalid_client' });
      return;
    }
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, Date.now() + ttl * 1000);
    state.tokensIssued++;
    res
      .set('Cache-Control', 'no-store')
      .json({ access_token: token, token_type: 'bearer', expires_in: ttl, scope: body.scope ?? '' });
  });

  const requireBearer = (req: Request, res: Response): boolean => {
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    const expiresAt = tokens.get(token);
    if (expiresAt !== undefined && expiresAt > Date.now()) return true;
    res
      .status(401)
      .set('WWW-Authenticate', 'Bearer realm="oneroster", error="invalid_token"')
      .json(
        imsxError(
          'unauthorisedrequest',
          token ? 'The access token is invalid or expired' : 'No access token',
        ),
      );
    return false;
  };

  for (const entity of entityOrder) mountCollection(app, entity, data, requireBearer, maxLimit);

  app.use((_req: Request, res: Response) => {
    res.status(404).json(imsxError('unknownobject', 'No such endpoint'));
  });

  return {
    app,
    data,
    state,
    clientId,
    clientSecret,
    revokeTokens: () => tokens.clear(),
    start: () =>
      new Promise((resolve) => {
        const server = app.listen(0, '127.0.0.1', () => {
          const { port } = server.address() as AddressInfo;
          resolve({
            url: `http://127.0.0.1:${port}`,
            close: () =>
              new Promise<void>((done) => {
                server.closeAllConnections();
                server.close(() => done());
              }),
          });
        });
      }),
  };
}

function mountCollection(
  app: express.Express,
  entity: EntityType,
  data: DistrictData,
  requireBearer: (req: Request, res: Response) => boolean,
  maxLimit: number,
): void {
  const { service, singular } = restCollections[entity];
  const path = `${service}/${entity}`;
  const toJson = toRestJson[entity] as (record: unknown) => Record<string, unknown>;

  app.get(path, (req, res) => {
    if (!requireBearer(req, res)) return;
    const q = req.query as Record<string, string | undefined>;
    const limit = q.limit === undefined ? 100 : Number(q.limit);
    const offset = q.offset === undefined ? 0 : Number(q.offset);
    if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(offset) || offset < 0) {
      res
        .status(400)
        .json(imsxError('invaliddata', 'limit must be a positive integer and offset a non-negative one'));
      return;
    }
    let rows = (data[entity] as unknown[]).map(toJson);
    if (q.filter) {
      const filter = parseFilter(q.filter);
      if (typeof filter === 'string') {
        res.status(400).json(imsxError('invalid_filter_field', filter));
        return;
      }
      rows = rows.filter(filter);
    }
    if (q.sort) {
      const key = q.sort;
      const dir = q.orderBy === 'desc' ? -1 : 1;
      rows = [...rows].sort((a, b) => String(a[key] ?? '').localeCompare(String(b[key] ?? '')) * dir);
    }
    const size = Math.min(limit, maxLimit);
    const page = rows.slice(offset, offset + size);
    const link = (o: number) => {
      const params = new URLSearchParams({
        ...(q as Record<string, string>),
        limit: String(size),
        offset: String(o),
      });
      return `<${path}?${params}>`;
    };
    const links = [
      `${link(0)}; rel="first"`,
      `${link(Math.max(0, Math.floor((rows.length - 1) / size) * size))}; rel="last"`,
    ];
    if (offset + size < rows.length) links.push(`${link(offset + size)}; rel="next"`);
    if (offset > 0) links.push(`${link(Math.max(0, offset - size))}; rel="prev"`);
    res
      .set('X-Total-Count', String(rows.length))
      .set('Link', links.join(', '))
      .json({ [entity]: page });
  });

  app.get(`${path}/:sourcedId`, (req, res) => {
    if (!requireBearer(req, res)) return;
    const record = (data[entity] as { sourcedId: string }[]).find(
      (r) => r.sourcedId === req.params.sourcedId,
    );
    if (!record) {
      res.status(404).json(imsxError('unknownobject', `No ${singular} ${req.params.sourcedId}`));
      return;
    }
    res.json({ [singular]: toJson(record) });
  });
}
