import { type ChildProcess, spawn } from 'node:child_process';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root: services run from here, as `npm start` and the Docker image do. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** How to start one service process. */
export interface SpawnServiceOptions {
  /** Label of the process in errors and in {@link SpawnedService.output}. */
  name: string;
  /** The composition root to run, relative to the repo root (e.g. `services/registry/src/main.ts`) or absolute. */
  entry: string;
  /** Port the service will listen on; it is also passed as `PORT`. */
  port: number;
  /** Environment of the child on top of this process's own (these win). */
  env?: Record<string, string>;
  /** Modules loaded with `--import` after tsx, e.g. `@mathnet/telemetry/register`. */
  preload?: string[];
  /** How long the service gets to answer 200 on `/health/ready`; default 60 s. */
  readyTimeoutMs?: number;
  /** Called with every chunk the child writes to stdout or stderr (e.g. to echo it). */
  onOutput?: (text: string) => void;
}

/** The exit of a child process. */
export interface ServiceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running service process. */
export interface SpawnedService {
  name: string;
  pid: number;
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Resolves when the process has exited (for whatever reason). */
  exited: Promise<ServiceExit>;
  /** The last ~256 kB the process wrote to stdout and stderr, interleaved. */
  output(): string;
  /** SIGTERM, then SIGKILL when it has not exited after `graceMs` (default 20 s); resolves with the exit. */
  stop(graceMs?: number): Promise<ServiceExit>;
}

const keptOutputChars = 256 * 1024;

/**
 * Starts a service's `main.ts` as its own Node process (`node --import tsx …`, from
 * the repo root, the way the distributed mode runs it), captures its output and
 * resolves once `GET /health/ready` answers 200. Rejects, with the captured output,
 * when the process exits first or the service is not ready in time; the process is
 * stopped then.
 */
export async function spawnService(options: SpawnServiceOptions): Promise<SpawnedService> {
  const entry = isAbsolute(options.entry) ? options.entry : resolve(repoRoot, options.entry);
  const args = ['--import', 'tsx', ...(options.preload ?? []).flatMap((m) => ['--import', m]), entry];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, ...options.env, PORT: String(options.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-keptOutputChars);
    options.onOutput?.(text);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<ServiceExit>((done) => {
    child.once('exit', (code, signal) => done({ code, signal }));
  });
  const spawned = new Promise<void>((done, fail) => {
    child.once('spawn', done);
    child.once('error', fail);
  });
  await spawned;

  const url = `http://127.0.0.1:${options.port}`;
  const service: SpawnedService = {
    name: options.name,
    pid: child.pid ?? -1,
    port: options.port,
    url,
    exited,
    output: () => output,
    stop: (graceMs = 20_000) => stopChild(child, exited, graceMs),
  };
  try {
    await waitUntilReady(service, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    await service.stop(5_000);
    throw error;
  }
  return service;
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<ServiceExit>,
  graceMs: number,
): Promise<ServiceExit> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `/health/ready` until it answers 200. A child process offers no event to
 * await, so this is the one poll: every 100 ms, bounded by the timeout, and cut
 * short when the process exits.
 */
async function waitUntilReady(service: SpawnedService, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exit: ServiceExit | undefined;
  void service.exited.then((e) => {
    exit = e;
  });
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (exit) {
      throw new Error(
        `${service.name} exited (code ${exit.code}, signal ${exit.signal}) before it was ready; its output:\n${service.output()}`,
      );
    }
    try {
      const res = await fetch(`${service.url}/health/ready`, { signal: AbortSignal.timeout(3_000) });
      const body = await res.text();
      if (res.status === 200) return;
      last = `${res.status} ${body.slice(0, 300)}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(
    `${service.name} was not ready within ${timeoutMs} ms (last: ${last}); its output:\n${service.output()}`,
  );
}
