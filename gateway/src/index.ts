export {
  type GatewayConfig,
  gatewayConfigSchema,
  loadGatewayConfig,
  loadGatewayConfigOrExit,
  upstreamsOf,
} from './config';
export { createGateway, type Gateway, type GatewayDeps, type GatewayLimits } from './gateway';
export { gatewayPath, mergeOpenApi } from './openapi-merge';
export type { RateLimitBudgets, RateLimitStoreOption } from './rate-limits';
export type { TokenCacheOptions } from './token-cache';
