/**
 * Test doubles of OneRoster 1.2 for the connector's tests, the bridge's tests
 * and the benches: a REST service in process, CSV zip builders and a fast,
 * deterministic district generator.
 */
export { csvField, csvLine, type OneRosterFile, oneRosterHeaders, toCsv } from './csv-text';
export {
  type District,
  type DistrictData,
  type DistrictSpec,
  districtData,
  generateDistrict,
} from './district';
export { csvRows, demographicsRow, districtCsvChunks, districtFiles, roleRows } from './district-csv';
export { parseFilter, type RecordFilter } from './filter';
export {
  createOneRosterDouble,
  imsxError,
  type OneRosterDoubleOptions,
  type OneRosterDoubleState,
  type OneRosterRestDouble,
} from './rest-double';
export { restCollections, toRestJson } from './rest-json';
export {
  buildOneRosterZip,
  districtZip,
  type ManifestFiles,
  type OneRosterZipInput,
  oneRosterManifest,
  writeOneRosterZip,
} from './zip-builder';
