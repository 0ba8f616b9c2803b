import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { HeaderMap } from './security';

// Hop-by-hop headers (RFC 9110 §7.6.1) and those undici sets itself; never forwarded in either direction.
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'expect',
  'http2-settings',
]);

/** Header names a `Connection` header lists (beyond the usual keep-alive/close, which name none to drop). */
function namedByConnection(connection: string | string[] | undefined): Set<string> | undefined {
  if (connection === undefined) return undefined;
  const value = String(connection).toLowerCase();
  if (value === 'keep-alive' || value === 'close') return undefined;
  return new Set(value.split(/\s*,\s*/));
}

/**
 * The headers of one side without hop-by-hop ones (including those the
 * `Connection` header names), added to `out`. A `Vary` already in `out` (the
 * gateway's `Vary: Origin`) is kept alongside the one from `headers`.
 */
export function endToEnd(headers: IncomingHttpHeaders, out: HeaderMap = {}): HeaderMap {
  const named = namedByConnection(headers.connection);
  const ownVary = out.vary;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || hopByHop.has(name) || named?.has(name)) continue;
    out[name] = value;
  }
  if (ownVary !== undefined && out.vary !== ownVary && !/\borigin\b/i.test(String(out.vary))) {
    out.vary = `${String(out.vary)}, ${String(ownVary)}`;
  }
  return out;
}

/**
 * Streams one upstream answer into the client's response, on undici's dispatch
 * interface (no promise, stream wrapper or AbortSignal per request): headers
 * are written as they arrive, body chunks with backpressure both ways, and a
 * client that goes away aborts the upstream request.
 */
export class ProxyHandler implements Dispatcher.DispatchHandler {
  readonly #res: ServerResponse;
  readonly #headers: HeaderMap | undefined;
  readonly #done: (error: Error | null, clientGone: boolean) => void;
  #controller: Dispatcher.DispatchController | undefined;
  #ended = false;
  #clientGone = false;

  /**
   * @param headers headers the gateway adds to the answer (lower-case names), unless they are on `res` already
   * @param done called once: null when the answer was written, else the error (and whether the client left)
   */
  constructor(
    res: ServerResponse,
    headers: HeaderMap | undefined,
    done: (error: Error | null, clientGone: boolean) => void,
  ) {
    this.#res = res;
    this.#headers = headers;
    this.#done = done;
    res.once('close', this.#onClientClose);
  }

  readonly #onClientClose = () => {
    if (this.#ended) return;
    this.#clientGone = true;
    this.#controller?.abort(new Error('the client closed the connection'));
  };

  readonly #onDrain = () => {
    this.#controller?.resume();
  };

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#clientGone) controller.abort(new Error('the client closed the connection'));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    // Informational answers (103 Early Hints and the like) are not passed on.
    if (statusCode < 200) return;
    this.#res.writeHead(statusCode, endToEnd(headers, this.#headers));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.#res.write(chunk)) {
      controller.pause();
      this.#res.once('drain', this.#onDrain);
    }
  }

  onResponseEnd(): void {
    this.#finish(null);
    this.#res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#finish(error);
  }

  #finish(error: Error | null): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#res.off('close', this.#onClientClose);
    this.#res.off('drain', this.#onDrain);
    this.#done(error, this.#clientGone);
  }
}
