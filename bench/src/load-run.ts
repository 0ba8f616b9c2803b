import autocannon from 'autocannon';

/** One measured run against one URL. */
export interface LoadRun {
  label: string;
  /** Completed requests per second over the whole run. */
  requestsPerSecond: number;
  /** Latency percentiles, ms. */
  p50: number;
  p99: number;
  /** Requests that were not 2xx, plus connection errors and timeouts. */
  failures: number;
  total: number;
}

/** What to load and how hard. */
export interface LoadOptions {
  label: string;
  url: string;
  headers?: Record<string, string>;
  connections: number;
  durationSeconds: number;
}

let current: { stop(): void } | undefined;

/** Stops the run in progress, if any (on SIGINT); its promise then resolves with what was measured. */
export function stopCurrentRun(): void {
  current?.stop();
}

/** Runs autocannon (GET, no pipelining) against one URL and reduces its result to the figures the bench prints. */
export async function loadRun(options: LoadOptions): Promise<LoadRun> {
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    headers: options.headers ?? {},
    title: options.label,
  });
  current = instance;
  try {
    const result = await instance;
    const seconds = Math.max(result.duration, 0.001);
    return {
      label: options.label,
      requestsPerSecond: result.requests.total / seconds,
      p50: result.latency.p50,
      p99: result.latency.p99,
      failures: result.non2xx + result.errors + result.timeouts,
      total: result.requests.total,
    };
  } finally {
    current = undefined;
  }
}
