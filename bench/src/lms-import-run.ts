import { say } from './bench-run';
import { startCpuAccount } from './lms-cpu';
import { FactTracker } from './lms-fact-tracker';
import { type MemoryFigures, MemorySampler, mb } from './lms-memory';
import type { LmsNetwork } from './lms-network';
import {
  type ImportTargets,
  ImportTimeout,
  type ImportTimes,
  type RunRow,
  waitForImport,
} from './lms-progress';

/** Seconds with one decimal. */
export const sec = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** fetch, with the cause of a network failure in the message (undici hides it in `cause`). */
async function request(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw new Error(`${init.method} ${url} failed${cause}`);
  }
}

/** A creating POST through the gateway as the network administrator; the created resource. */
export async function createThroughGateway(
  network: LmsNetwork,
  path: string,
  body: unknown,
): Promise<{ id: string }> {
  const res = await request(`${network.gateway.url}/api${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${network.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST /api${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as { id: string };
}

/** POSTs the zip through the gateway; where the gateway answers 413, straight to the bridge (and says so). */
async function postImport(network: LmsNetwork, connectionId: string, zip: Buffer) {
  const path = `/v1/connections/${connectionId}/imports`;
  const post = (url: string) =>
    request(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${network.adminToken}`, 'content-type': 'application/zip' },
      body: zip,
    });
  let via = 'through the gateway';
  let res = await post(`${network.gateway.url}/api/lms-bridge${path}`);
  if (res.status === 413) {
    await res.text();
    via = 'DIRECTLY to lms-bridge: the gateway answered 413 for this body';
    res = await post(`${network.bridge.url}${path}`);
  }
  const text = await res.text();
  if (res.status !== 202) throw new Error(`the import POST answered ${res.status}: ${text.slice(0, 300)}`);
  return { runId: (JSON.parse(text) as { runId: string }).runId, via };
}

/** What one import measured. */
export interface ImportFigures {
  /** ms until the POST was answered 202. */
  upload: number;
  /** Undefined when the import timed out (then `timedOut` says how far it got). */
  times: ImportTimes | undefined;
  timedOut?: string;
  run: RunRow | undefined;
  /** RSS of the bridge, registry and courses during the import. */
  memory: Map<string, MemoryFigures>;
  /** CPU ms by process (see lms-cpu). */
  cpu: Record<string, number>;
  /** ms from the POST to the end of the wait. */
  wallMs: number;
  runId: string;
  /** Wall-clock ms of the POST (for the stage report). */
  postedAt: number;
}

/** What an import needs to know. */
export interface ImportJob {
  label: string;
  orgId: string;
  connectionId: string;
  zip: Buffer;
  targets: ImportTargets;
  timeoutMs: number;
  signal: AbortSignal;
}

/**
 * POSTs the zip and waits until the import arrived everywhere (or its time is up),
 * sampling the RSS of the bridge, registry and courses every 200 ms and the CPU every
 * process used. A timed-out import still returns its figures (with `timedOut`).
 */
export async function importOnce(network: LmsNetwork, job: ImportJob): Promise<ImportFigures> {
  const memory = new MemorySampler({
    'lms-bridge': network.bridge.pid,
    registry: network.registry.pid,
    courses: network.courses.pid,
  });
  try {
    const stopCpu = await startCpuAccount(
      {
        'lms-bridge': network.bridge.pid,
        registry: network.registry.pid,
        courses: network.courses.pid,
        gateway: network.gateway.pid,
      },
      { 'lms-bridge': network.bridgeDb, registry: network.registryDb, courses: network.coursesDb },
    );
    const tracker = await FactTracker.start(network);
    const postedAt = Date.now();
    const t0 = performance.now();
    const { runId, via } = await postImport(network, job.connectionId, job.zip);
    const upload = performance.now() - t0;
    say(`${job.label}: posted ${via}, 202 after ${sec(upload)}; run ${runId}`);
    const waited = await waitForImport(network, {
      orgId: job.orgId,
      runId,
      targets: job.targets,
      t0,
      timeoutMs: job.timeoutMs,
      signal: job.signal,
      progress: say,
      extra: () => `bridge RSS ${mb(memory.current('lms-bridge')?.lastRss)}`,
      tracker,
    }).catch((error: unknown) => {
      // A timed-out import still tells where its time went: the caller reports it, then fails.
      if (error instanceof ImportTimeout) return error.message;
      throw error;
    });
    const cpu = await stopCpu();
    const figures = { upload, memory: memory.stop(), cpu, runId, postedAt, wallMs: performance.now() - t0 };
    return typeof waited === 'string'
      ? { ...figures, times: undefined, run: undefined, timedOut: waited }
      : { ...figures, ...waited };
  } finally {
    memory.stop();
  }
}
