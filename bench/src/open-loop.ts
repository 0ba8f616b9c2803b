import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { maxFailureSamples, type PoolRequest, type PoolResult, sendRequest } from './request-pool';
import type { SeededRandom } from './seeded-random';

/** How an open-loop run loads one server. */
export interface OpenLoopOptions {
  /** `http://host:port` of the server. */
  baseUrl: string;
  /** Sent with every request (e.g. authorization). */
  headers: Record<string, string>;
  /** Mean arrivals per second; arrivals are a Poisson process (independent users), drawn from `random`. */
  ratePerSecond: number;
  random: SeededRandom;
  /** Keep-alive connections at most; an arrival finding them all busy waits (and that wait counts). */
  maxConnections: number;
  durationMs: number;
  next(): PoolRequest;
  /** Judges an answer: a failure message, or undefined when it is what was expected. */
  check(req: PoolRequest, status: number, body: string): string | undefined;
  signal?: AbortSignal;
  /** A request with no answer after this long fails; default 30 s. */
  timeoutMs?: number;
}

/** What an open-loop run measured; latencies count from each request's scheduled arrival. */
export interface OpenLoopResult extends PoolResult {
  /** The most requests in flight at once (connections used: at most `maxConnections`). */
  maxInFlight: number;
}

/**
 * An open-loop load: requests arrive at a stated mean rate whatever the answers do
 * (unlike a closed loop, where a slow answer delays the next request and hides the
 * queue), and each latency runs from the request's scheduled arrival to its answer, so
 * time spent waiting for a free connection or for a late timer in this process counts
 * too. GET requests only.
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxConnections });
  const timeoutMs = options.timeoutMs ?? 30_000;
  const latencies = new Map<string, number[]>();
  const result: OpenLoopResult = {
    elapsedMs: 0,
    completed: 0,
    failures: 0,
    failureSamples: [],
    latencies,
    aborted: false,
    maxInFlight: 0,
  };
  const fail = (message: string) => {
    result.failures += 1;
    if (result.failureSamples.length < maxFailureSamples) result.failureSamples.push(message);
  };
  const inFlight = new Set<Promise<void>>();
  const fire = (req: PoolRequest, scheduled: number) => {
    const done = sendRequest(agent, new URL(req.path, options.baseUrl), options.headers, req, timeoutMs).then(
      (answer) => {
        const elapsed = performance.now() - scheduled;
        const list = latencies.get(req.label);
        if (list) list.push(elapsed);
        else latencies.set(req.label, [elapsed]);
        result.completed += 1;
        const problem = options.check(req, answer.status, answer.body);
        if (problem) fail(problem);
      },
      (error: unknown) => fail(`GET ${req.path}: ${error instanceof Error ? error.message : String(error)}`),
    );
    inFlight.add(done);
    result.maxInFlight = Math.max(result.maxInFlight, inFlight.size);
    void done.finally(() => inFlight.delete(done));
  };

  const started = performance.now();
  const end = started + options.durationMs;
  // Exponential gaps: a Poisson process of mean rate `ratePerSecond`.
  const gap = () => (-Math.log(1 - options.random.next()) * 1000) / options.ratePerSecond;
  let due = started + gap();
  try {
    while (due < end) {
      if (options.signal?.aborted) {
        result.aborted = true;
        break;
      }
      const now = performance.now();
      if (due > now) {
        await new Promise((resolve) => setTimeout(resolve, due - now));
        continue;
      }
      // Every arrival already due is sent now, each still timed from its own schedule.
      fire(options.next(), due);
      due += gap();
    }
    await Promise.all(inFlight);
  } finally {
    agent.destroy();
  }
  result.elapsedMs = performance.now() - started;
  return result;
}
