/** The zod the SDK's schemas are made with: connectors use it so that one copy of zod describes every schema. */
export { z } from 'zod';
export {
  type Capability,
  type ConnectOptions,
  type ConnectorDefinition,
  type ConnectorLogger,
  capabilities,
  defineConnector,
  describeConnector,
  type EnrollmentPush,
  type GradePush,
  type ImportSource,
  type LmsSession,
  type PulledPage,
  type PullOptions,
  type PushOptions,
  type PushOutcome,
  sessionMethodOf,
  type WebhookOutcome,
} from './connector';
export * from './entities';
export * from './errors';
export {
  delay,
  pageArray,
  type RecordOrigin,
  type RetryOptions,
  throwIfAborted,
  type ValidatedRecords,
  validateRecords,
  withRetry,
} from './paging';
