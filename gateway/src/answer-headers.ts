import type { IncomingHttpHeaders } from 'node:http';

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
 * The end-to-end headers of `headers` (without hop-by-hop ones, those the
 * `Connection` header names and those in `skip`), appended to `out` as a flat
 * `name, value, …` list, the form both `writeHead` and undici take as they are.
 */
export function endToEnd(
  headers: IncomingHttpHeaders,
  out: string[] = [],
  skip?: ReadonlySet<string>,
): string[] {
  const named = namedByConnection(headers.connection);
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || hopByHop.has(name) || named?.has(name) || skip?.has(name)) continue;
    if (typeof value === 'string') out.push(name, value);
    else for (const item of value) out.push(name, item);
  }
  return out;
}

/**
 * The headers the gateway puts on an answer it proxies or makes itself: a
 * shared fixed part (the security headers) and the request's own (request id,
 * CORS, RateLimit-*, …), as flat lists with lower-case names.
 */
export class AnswerHeaders {
  readonly #fixed: readonly string[];
  readonly #own: string[] = [];

  /** @param fixed `name, value, …` pairs every answer carries */
  constructor(fixed: readonly string[]) {
    this.#fixed = fixed;
  }

  /** Adds a header (each name once). */
  set(name: string, value: string): void {
    this.#own.push(name, value);
  }

  /** Every header, for an answer the gateway makes itself. */
  list(): string[] {
    return this.#fixed.concat(this.#own);
  }

  /**
   * The headers of a proxied answer: the upstream's end-to-end ones, then ours
   * where the upstream did not set the same name; our `Vary` goes alongside the
   * upstream's (a second field line, which means the same as one joined list).
   */
  merge(upstream: IncomingHttpHeaders): string[] {
    const out = endToEnd(upstream);
    this.#addMissing(this.#fixed, upstream, out);
    this.#addMissing(this.#own, upstream, out);
    return out;
  }

  #addMissing(list: readonly string[], upstream: IncomingHttpHeaders, out: string[]): void {
    for (let i = 0; i < list.length; i += 2) {
      const name = list[i]!;
      const theirs = upstream[name];
      if (theirs === undefined) out.push(name, list[i + 1]!);
      else if (name === 'vary' && !/\borigin\b|\*/i.test(String(theirs))) out.push(name, list[i + 1]!);
    }
  }
}
