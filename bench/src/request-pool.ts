import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/** One request of a pool run; `label` groups latencies in the result. */
export interface PoolRequest {
  label: string;
  method: 'GET' | 'POST';
  /** Path and query, e.g. `/v1/offerings?limit=20`. */
  path: string;
  body?: string;
}

/** How a pool run loads one server. */
export interface PoolOptions {
  /** `http://host:port` of the server. */
  baseUrl: string;
  /** Sent with every request (e.g. authorization). */
  headers: Record<string, string>;
  /** Clients working at once, each on its own keep-alive connection. */
  connections: number;
  /** The next request to send; undefined when there is no more work. */
  next(): PoolRequest | undefined;
  /** Stop taking new requests after this long (requests in flight finish). */
  durationMs?: number;
  /** Judges an answer: a failure message, or undefined when it is what was expected (default: any 2xx). */
  check?(req: PoolRequest, status: number, body: string): string | undefined;
  /** Stops taking new requests when aborted (Ctrl-C). */
  signal?: AbortSignal;
  /** A request with no answer after this long fails; default 30 s. */
  timeoutMs?: number;
}

/** What a pool run measured. */
export interface PoolResult {
  /** Wall time from the first request sent to the last answer, ms. */
  elapsedMs: number;
  completed: number;
  failures: number;
  /** The first few failure messages, to print. */
  failureSamples: string[];
  /** Latencies (ms) of every answered request, by label. */
  latencies: Map<string, number[]>;
  /** True when the run was stopped by its signal before the work ran out. */
  aborted: boolean;
}

export interface Answer {
  status: number;
  body: string;
}

/** Sends one request on the agent's keep-alive connections and reads the whole answer. */
export function sendRequest(
  agent: Agent,
  url: URL,
  headers: Record<string, string>,
  req: PoolRequest,
  timeoutMs: number,
) {
  return new Promise<Answer>((resolve, reject) => {
    const outgoing = request(
      url,
      {
        agent,
        method: req.method,
        headers:
          req.body === undefined
            ? headers
            : {
                ...headers,
                'content-type': 'application/json',
                'content-length': Buffer.byteLength(req.body),
              },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

/** Failure messages a run keeps to print. */
export const maxFailureSamples = 10;

/**
 * A closed-loop load: `connections` async clients, each sending its next request as
 * soon as the previous one is answered, over keep-alive connections (node:http, the
 * lightest client in Node: the load generator shares the CPUs with the server). Runs
 * until `next()` gives nothing more, `durationMs` passes or `signal` aborts.
 */
export async function runPool(options: PoolOptions): Promise<PoolResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const timeoutMs = options.timeoutMs ?? 30_000;
  const check =
    options.check ??
    ((req: PoolRequest, status: number, body: string) =>
      status >= 200 && status < 300
        ? undefined
        : `${req.method} ${req.path}: ${status} ${body.slice(0, 200)}`);
  const latencies = new Map<string, number[]>();
  const result: PoolResult = {
    elapsedMs: 0,
    completed: 0,
    failures: 0,
    failureSamples: [],
    latencies,
    aborted: false,
  };
  const started = performance.now();
  const deadline = options.durationMs === undefined ? Number.POSITIVE_INFINITY : started + options.durationMs;
  const fail = (message: string) => {
    result.failures += 1;
    if (result.failureSamples.length < maxFailureSamples) result.failureSamples.push(message);
  };

  const client = async () => {
    for (;;) {
      if (options.signal?.aborted) {
        result.aborted = true;
        return;
      }
      if (performance.now() >= deadline) return;
      const req = options.next();
      if (!req) return;
      const t0 = performance.now();
      try {
        const answer = await sendRequest(
          agent,
          new URL(req.path, options.baseUrl),
          options.headers,
          req,
          timeoutMs,
        );
        const elapsed = performance.now() - t0;
        const list = latencies.get(req.label);
        if (list) list.push(elapsed);
        else latencies.set(req.label, [elapsed]);
        result.completed += 1;
        const problem = check(req, answer.status, answer.body);
        if (problem) fail(problem);
      } catch (error) {
        fail(`${req.method} ${req.path}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.connections }, client));
  } finally {
    agent.destroy();
  }
  result.elapsedMs = performance.now() - started;
  return result;
}

/** Every latency of a result, whatever the label. */
export function allLatencies(result: PoolResult): number[] {
  return [...result.latencies.values()].flat();
}
