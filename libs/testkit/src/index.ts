export { containerEngineAnswers } from './infra-choice';
export { peopleChangedEvent, personEvent } from './registry-events';
export { createTestBus, type TestBus, testAmqpUrl } from './test-bus';
export { createTestDatabase, type TestDatabase } from './test-database';
export { createTestRedis, type TestRedis } from './test-redis';
