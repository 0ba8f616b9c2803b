import { containerEngineAnswers, logChoiceOnce, sharedContainer, uniqueSuffix } from './infra-choice';

/** A key-value store for one test file: its own key prefix on a shared Redis, or `memory://`. */
export interface TestRedis {
  url: string;
  keyPrefix: string;
}

export async function createTestRedis(label: string): Promise<TestRedis> {
  const keyPrefix = `t_${uniqueSuffix(label)}:`;
  const fromEnv = process.env.TEST_REDIS_URL;
  if (fromEnv) {
    logChoiceOnce('redis', 'redis', 'TEST_REDIS_URL');
    return { url: fromEnv, keyPrefix };
  }
  if (await containerEngineAnswers()) {
    const { RedisContainer } = await import('@testcontainers/redis');
    const container = await sharedContainer('redis', () => new RedisContainer('redis:7-alpine').start());
    logChoiceOnce('redis', 'redis', 'testcontainers');
    return { url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`, keyPrefix };
  }
  logChoiceOnce('redis', 'memory', 'no TEST_REDIS_URL and no container engine');
  return { url: 'memory://', keyPrefix };
}
