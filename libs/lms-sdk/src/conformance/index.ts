/**
 * The conformance kit every LMS connector passes: `runConformanceKit` registers
 * the mocha suite; the check functions are exported for programmatic use.
 * See docs/connectors.md.
 */
export { type CancellationOptions, checkCancellation } from './check-cancellation';
export { checkCapabilities, checkDefinition } from './check-definition';
export {
  type ConnectorErrorClass,
  checkRateLimited,
  expectConnectorError,
  isAbortError,
  within,
} from './check-errors';
export { checkIdempotentPush, type PushCapability } from './check-idempotent-push';
export { checkWebhook } from './check-webhook';
export {
  type CollectedPull,
  checkMinRecords,
  checkPage,
  checkPaging,
  checkSameRecords,
  checkUniqueSourcedIds,
  collectPull,
  type PullCapability,
  pullCapabilities,
  pullEntities,
  startPull,
} from './collect-pull';
export type { ConformanceConfig, ConformanceOptions, WebhookSample } from './conformance-options';
export {
  checkNoSecretsInError,
  checkNoSecretsLogged,
  type LoggedLine,
  type OpenedSession,
  openSession,
  secretStrings,
} from './open-session';
export { runConformanceKit } from './run-conformance-kit';
