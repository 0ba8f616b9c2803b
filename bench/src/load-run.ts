import autocannon from 'autocannon';
import { processCpuMillis } from './process-cpu';

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
  /** CPU time each watched process spent per completed request, ms (where procfs tells). */
  cpuMsPerRequest: Record<string, number>;
}

/** What to load and how hard. */
export interface LoadOptions {
  label: string;
  url: string;
  headers?: Record<string, string>;
  connections: number;
  durationSeconds: number;
  /** Processes whose CPU time per request to report, name → pid. */
  watch?: Record<string, number>;
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
  const watched = Object.entries(options.watch ?? {});
  const cpuBefore = watched.map(([, pid]) => processCpuMillis(pid));
  try {
    const result = await instance;
    const seconds = Math.max(result.duration, 0.001);
    const cpuMsPerRequest: Record<string, number> = {};
    watched.forEach(([name, pid], i) => {
      const before = cpuBefore[i];
      const after = processCpuMillis(pid);
      if (before !== undefined && after !== undefined && result.requests.total > 0) {
        cpuMsPerRequest[name] = (after - before) / result.requests.total;
      }
    });
    return {
      label: options.label,
      requestsPerSecond: result.requests.total / seconds,
      p50: result.latency.p50,
      p99: result.latency.p99,
      failures: result.non2xx + result.errors + result.timeouts,
      total: result.requests.total,
      cpuMsPerRequest,
    };
  } finally {
    current = undefined;
  }
}
