import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { HttpError, ServiceUnavailableError } from '@mathnet/kit';
import { type Dispatcher, Pool } from 'undici';
import { type AnswerHeaders, endToEnd } from './answer-headers';
import { ProxyHandler } from './proxy-handler';

/** How the gateway talks to its upstreams. */
export interface UpstreamOptions {
  /** Time to wait for response headers (and between body chunks) before answering 504; default 30 s. */
  timeoutMs?: number;
  /** Keep-alive connections per upstream; default 128. */
  connections?: number;
}

/** What the gateway forwards as the request body. */
export type ForwardBody = Readable | Buffer | null;

/** What the gateway knows about a request beyond its headers (trusted X-Forwarded-* already judged). */
export interface ForwardInfo {
  /** The protocol the client used (`X-Forwarded-Proto` upstream). */
  proto: string;
  /** The host the client asked for (`X-Forwarded-Host` upstream). */
  host: string | undefined;
  /** `X-Request-Id` upstream. */
  requestId: string | undefined;
  /**
   * Headers the gateway adds to the answer when they are not set on `res` already
   * (the fast path collects them here instead); the upstream's own headers of the
   * same name win, but a `Vary` is kept alongside.
   */
  headers?: AnswerHeaders;
}

// Request headers the gateway sets itself instead of passing the client's on.
const setByGateway = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-request-id']);
const setByGatewayWithLength = new Set([...setByGateway, 'content-length']);

const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_DESTROYED',
]);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** One upstream service: a keep-alive connection pool and the streaming forwarder on top of it. */
export class Upstream {
  readonly origin: string;
  readonly #basePath: string;
  readonly #pool: Pool;
  readonly #timeoutMs: number;

  constructor(
    readonly name: string,
    baseUrl: string,
    options: UpstreamOptions = {},
  ) {
    const url = new URL(baseUrl);
    this.origin = url.origin;
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#pool = new Pool(this.origin, {
      connections: options.connections ?? 128,
      pipelining: 1,
      // Shorter than the services' keep-alive (65 s, kit's listen), so the gateway closes idle connections first.
      keepAliveTimeout: 30_000,
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
    });
  }

  /**
   * Forwards `req` to `pathAndQuery` of this upstream and streams the answer into `res`.
   * Resolves when the answer is written; rejects with an HttpError (400, 413, 503, 504)
   * only while nothing has been sent yet, so the caller can still answer problem+json.
   * (undici's headers clock does not cut a request off while its body is still being
   * written, so a slow upload is not a 504.)
   */
  forward(
    req: IncomingMessage,
    res: ServerResponse,
    pathAndQuery: string,
    body: ForwardBody,
    info: ForwardInfo,
  ): Promise<void> {
    const incoming = req.headers;
    const headers = endToEnd(incoming, [], Buffer.isBuffer(body) ? setByGatewayWithLength : setByGateway);
    const remote = req.socket.remoteAddress ?? '';
    const forwardedFor = incoming['x-forwarded-for'];
    headers.push('x-forwarded-for', forwardedFor ? `${forwardedFor}, ${remote}` : remote);
    headers.push('x-forwarded-proto', info.proto);
    if (info.host) headers.push('x-forwarded-host', info.host);
    if (info.requestId !== undefined) headers.push('x-request-id', info.requestId);
    if (Buffer.isBuffer(body)) headers.push('content-length', String(body.length));
    return new Promise<void>((resolve, reject) => {
      const handler = new ProxyHandler(res, info.headers, (error, clientGone) => {
        // The upstream may answer without reading the whole body; drain it so the connection stays usable.
        if (!req.readableEnded) req.resume();
        if (error === null) return resolve();
        if (res.headersSent || clientGone) {
          res.destroy();
          return resolve();
        }
        reject(this.#toHttpError(error));
      });
      this.#pool.dispatch(
        { method: req.method as Dispatcher.HttpMethod, path: this.#basePath + pathAndQuery, headers, body },
        handler,
      );
    });
  }

  /** GETs a small JSON document of this upstream (OpenAPI, health); rejects with a message on failure. */
  async getJson(path: string, timeoutMs: number): Promise<{ status: number; body: unknown }> {
    const { statusCode, body } = await this.#pool.request({
      method: 'GET',
      path: this.#basePath + path,
      headers: { accept: 'application/json' },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await body.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: the caller gets the text and decides.
    }
    return { status: statusCode, body: parsed };
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  #timeout(): HttpError {
    return new HttpError(
      504,
      'gateway-timeout',
      'Gateway timeout',
      `The ${this.name} service did not answer within ${this.#timeoutMs / 1000} s`,
    );
  }

  #toHttpError(error: unknown): HttpError {
    if (error instanceof HttpError) return error;
    const cause = (error as { cause?: unknown } | null)?.cause;
    if (cause instanceof HttpError) return cause;
    const code = errorCode(error) ?? errorCode(cause);
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return this.#timeout();
    if (code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH') {
      return new HttpError(
        400,
        'bad-request',
        'Bad request',
        'The body length does not match Content-Length',
      );
    }
    const reason =
      code && unavailableCodes.has(code) ? code : error instanceof Error ? error.message : String(error);
    return new ServiceUnavailableError(`The ${this.name} service is unavailable (${reason})`);
  }
}
