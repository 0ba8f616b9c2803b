// amqplib arrives with @mathnet/e2e (a dependency of this package), the same version the bus uses.
import amqp, { type ChannelModel } from 'amqplib';

/**
 * The consumer groups (queue names) of registry, courses and lms-bridge. AMQP cannot
 * list queues, so the bench names them: keep in step with the services' `*Group` constants.
 */
export const lmsImportGroups = [
  'registry.lms-people',
  'courses.lms-facts',
  'courses.registry-read-model',
  'lms-bridge.registry-people',
  'lms-bridge.enrollment-push',
];

/** The bus's retry queues (`<group>.retry.<ms>`) for the delays the services use. */
const retryDelays = [1000, 5000, 30_000, 120_000];

/** Runs `work` on a fresh channel; undefined when the queue is missing (the 404 closes the channel). */
async function onChannel<T>(connection: ChannelModel, work: (ch: amqp.Channel) => Promise<T>) {
  const channel = await connection.createChannel();
  channel.on('error', () => undefined);
  try {
    return await work(channel);
  } catch {
    return undefined;
  } finally {
    await channel.close().catch(() => undefined);
  }
}

/**
 * Purges the services' queues (and their retry queues) on a shared vhost whose names
 * start with one of `prefixes`, so messages of an earlier, interrupted run do not
 * reach this run's services. Returns how many messages were purged.
 */
export async function clearStaleQueues(url: string, prefixes: string[]): Promise<number> {
  const connection = await amqp.connect(url);
  let purged = 0;
  try {
    const names = lmsImportGroups
      .filter((g) => prefixes.some((p) => g.startsWith(p)))
      .flatMap((g) => [g, ...retryDelays.map((d) => `${g}.retry.${d}`)]);
    for (const name of names) {
      const result = await onChannel(connection, (ch) => ch.purgeQueue(name));
      purged += result?.messageCount ?? 0;
    }
  } finally {
    await connection.close();
  }
  return purged;
}

/** Messages ready in each of the services' queues (missing queues count 0). */
export async function queueDepths(url: string): Promise<Record<string, number>> {
  const connection = await amqp.connect(url);
  try {
    const depths: Record<string, number> = {};
    for (const name of lmsImportGroups) {
      const queue = await onChannel(connection, (ch) => ch.checkQueue(name));
      depths[name] = queue?.messageCount ?? 0;
    }
    return depths;
  } finally {
    await connection.close();
  }
}
