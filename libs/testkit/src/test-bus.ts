import { containerEngineAnswers, logChoiceOnce, sharedContainer, uniqueSuffix } from './infra-choice';

/** A bus for one test file: its own exchange and queue-name prefix on a shared broker. */
export interface TestBus {
  /** `amqp://…` or `memory://` */
  url: string;
  /** Exchange for this file (`mathnet.events.t_<label>_<random>`); pass to the bus. */
  exchange: string;
  /** Prefix for this file's queue names; pass to the bus. */
  queuePrefix: string;
  /**
   * Pass to the bus too: the broker deletes this file's queues once they have gone unused
   * this long. Left behind, a few thousand quorum queues exhaust a broker's file handles
   * and it stops answering (seen on a developer's vhost and in CI).
   */
  queueExpiresMs: number;
}

/** Longer than any test file runs: a queue of a running file is never deleted under it. */
const TEST_QUEUE_EXPIRES_MS = 30 * 60_000;

/** The AMQP URL of the test broker, or undefined when only the in-process bus is available. */
export async function testAmqpUrl(): Promise<string | undefined> {
  const fromEnv = process.env.TEST_AMQP_URL;
  if (fromEnv) {
    logChoiceOnce('bus', 'amqp', 'TEST_AMQP_URL');
    return fromEnv;
  }
  if (await containerEngineAnswers()) {
    const { RabbitMQContainer } = await import('@testcontainers/rabbitmq');
    const container = await sharedContainer('rabbitmq', () =>
      new RabbitMQContainer('rabbitmq:3.13-alpine').start(),
    );
    logChoiceOnce('bus', 'amqp', 'testcontainers');
    return `amqp://guest:guest@${container.getHost()}:${container.getMappedPort(5672)}`;
  }
  logChoiceOnce('bus', 'memory', 'no TEST_AMQP_URL and no container engine');
  return undefined;
}

/** Resolves the bus for one test file: real RabbitMQ when available, else `memory://`. */
export async function createTestBus(label: string): Promise<TestBus> {
  const suffix = uniqueSuffix(label);
  const url = (await testAmqpUrl()) ?? 'memory://';
  return {
    url,
    exchange: `mathnet.events.t_${suffix}`,
    queuePrefix: `t_${suffix}.`,
    queueExpiresMs: TEST_QUEUE_EXPIRES_MS,
  };
}
