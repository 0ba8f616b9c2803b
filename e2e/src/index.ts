export { type AmqpTap, type AmqpTapOptions, type TappedMessage, tapExchange } from './amqp-tap';
export { freePort } from './free-port';
export { passwordToken } from './password-token';
export { createScratchDatabase, type ScratchDatabase } from './scratch-database';
export {
  repoRoot,
  type ServiceExit,
  type SpawnedService,
  type SpawnServiceOptions,
  spawnService,
} from './spawn-service';
export { type DistributedNetwork, type DistributedOptions, startDistributed } from './start-distributed';
