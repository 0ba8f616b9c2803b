import { oneRosterConnector } from './connector';

export {
  createOneRosterSession,
  type OneRosterSessionOptions,
  oneRosterConnector,
  pullPlan,
} from './connector';
export { type CsvPullOptions, DEFAULT_PAGE_SIZE, pullCsv } from './csv/csv-import';
export { type CsvRow, type CsvRowError, readCsvHeader, readCsvRows } from './csv/csv-rows';
export { type FileSpec, fileSpecs, mapRole } from './csv/file-specs';
export { type FileMode, type Manifest, modeOf, readManifest } from './csv/manifest';
export { isOneRosterDate, normaliseDateTime, RowReader, splitList } from './csv/row-reader';
export { ZipArchive } from './csv/zip-archive';
export { OneRosterRestClient, type RestAnswer, type RestRetryOptions } from './rest/rest-client';
export { restMappers } from './rest/rest-mappers';
export { pullRest, type RestPullOptions, restEndpoints, sinceFilter } from './rest/rest-pull';
export { ONEROSTER_SCOPES, TokenClient } from './rest/token-client';
export {
  type ConnectionMode,
  connectionMode,
  normaliseBaseUrl,
  type OneRosterSecrets,
  type OneRosterSettings,
  oneRosterSecretsSchema,
  oneRosterSettingsSchema,
  type RestConfig,
} from './settings';

/** The package's connector definition, loaded by name by lms-bridge. */
export default oneRosterConnector;
