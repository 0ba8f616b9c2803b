export { type BridgeConfig, bridgeConfigSchema, readBridgeConfig } from './config';
export { builtInConnectors, loadConnectors } from './connectors/load-connectors';
export { generateSecretsKey, SecretBox } from './secrets/secret-box';
export { type BridgeDeps, type BridgeService, bridgeMigrations, createBridgeService } from './service';
