import { createLogger } from '@mathnet/kit';

const logger = createLogger('testkit', process.env.LOG_LEVEL ?? 'info');
const logged = new Set<string>();

/** Logs which implementation a kind of infrastructure resolved to, once per process. */
export function logChoiceOnce(kind: string, choice: string, detail: string): void {
  if (logged.has(kind)) return;
  logged.add(kind);
  logger.info({ kind, choice }, `testkit: ${kind} -> ${choice} (${detail})`);
}

type StartedContainer = { getHost(): string; getMappedPort(port: number): number; stop(): Promise<unknown> };

let engine: Promise<boolean> | undefined;

/** True when a container engine answers; testcontainers is imported lazily so its absence costs nothing. */
export function containerEngineAnswers(): Promise<boolean> {
  engine ??= (async () => {
    try {
      const { getContainerRuntimeClient } = await import('testcontainers');
      await getContainerRuntimeClient();
      return true;
    } catch {
      return false;
    }
  })();
  return engine;
}

const containers = new Map<string, Promise<StartedContainer>>();

/** Starts (once per process) a container of the given image and returns it. */
export function sharedContainer(
  image: string,
  start: () => Promise<StartedContainer>,
): Promise<StartedContainer> {
  let started = containers.get(image);
  if (!started) {
    started = start();
    containers.set(image, started);
  }
  return started;
}

/** A short random id for names of per-file resources (database, exchange, key prefix). */
export function uniqueSuffix(label: string): string {
  const clean = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 24);
  return `${clean}_${Math.random().toString(36).slice(2, 10)}`;
}
