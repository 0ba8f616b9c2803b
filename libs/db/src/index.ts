export { consumeOnce, type InboxHandlerOptions, type InboxKey, inboxHandler } from './consume-once';
export {
  type CreateDatabaseOptions,
  createDatabase,
  type DatabaseHandle,
  type Db,
  type DbQueryResult,
  type Tx,
} from './database';
export {
  defineIdempotencyTable,
  type IdempotencyTable,
  idempotent,
  type KeepAnswer,
  type KeptAnswer,
} from './idempotency';
export { defineInboxTable, type InboxTable } from './inbox-table';
export { OutboxRelay, type OutboxRelayOptions } from './outbox-relay';
export { defineOutboxTable, type OutboxTable } from './outbox-table';
export {
  type AccessAction,
  type AccessActor,
  type AccessEntry,
  definePersonalDataAccessTable,
  listAccess,
  type PersonalDataAccessTable,
  recordAccess,
} from './personal-data-access';
export { pgErrorCode } from './pg-error-code';
export { type RunMigrationsOptions, runMigrations } from './run-migrations';
export { TableStatistics } from './table-statistics';
export { type Emit, type EmittedEvent, UnitOfWork, type UnitOfWorkOptions } from './unit-of-work';
