import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { toCsv } from './csv-text';
import type { District } from './district';
import { districtCsvChunks, districtFiles } from './district-csv';

/** The files of a OneRoster manifest and their modes. */
export type ManifestFiles = Record<string, 'bulk' | 'delta' | 'absent'>;

/** The whole set of file.* names of the 1.2 binding (absent unless given). */
const allFiles = [
  'academicSessions',
  'categories',
  'classes',
  'classResources',
  'courses',
  'courseResources',
  'demographics',
  'enrollments',
  'lineItemLearningObjectiveIds',
  'lineItems',
  'lineItemScoreScales',
  'orgs',
  'resources',
  'resultLearningObjectiveIds',
  'results',
  'resultScoreScales',
  'roles',
  'scoreScales',
  'userProfiles',
  'userResources',
  'users',
];

/** manifest.csv properties: versions, every file.* (absent unless given), source. */
export function oneRosterManifest(files: ManifestFiles): Record<string, string> {
  const properties: Record<string, string> = { 'manifest.version': '1.0', 'oneroster.version': '1.2' };
  for (const name of allFiles) properties[`file.${name}`] = files[name] ?? 'absent';
  for (const [name, mode] of Object.entries(files)) properties[`file.${name}`] = mode;
  properties['source.systemName'] = 'mathnet test double';
  properties['source.systemCode'] = 'mathnet';
  return properties;
}

/** What {@link buildOneRosterZip} packs. */
export interface OneRosterZipInput {
  /** Files by name (`users.csv`) → content (text as given: add a BOM yourself to test one). */
  files: Record<string, string | Uint8Array>;
  /**
   * manifest.csv properties; default: every given `*.csv` listed in `mode`,
   * the rest absent. `false` leaves manifest.csv out (to test that).
   */
  manifest?: Record<string, string> | false;
  /** Mode of the files in the default manifest (default bulk). */
  mode?: 'bulk' | 'delta';
}

function collect(zip: ZipFile): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.once('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    zip.outputStream.once('error', reject);
  });
}

/** Builds a OneRoster CSV zip in memory (tests: small archives, exact contents). */
export async function buildOneRosterZip(input: OneRosterZipInput): Promise<Uint8Array> {
  const zip = new ZipFile();
  const done = collect(zip);
  if (input.manifest !== false) {
    const manifest =
      input.manifest ??
      oneRosterManifest(
        Object.fromEntries(
          Object.keys(input.files)
            .filter((name) => name.endsWith('.csv') && name !== 'manifest.csv')
            .map((name) => [name.slice(0, -4), input.mode ?? 'bulk']),
        ),
      );
    const rows = Object.entries(manifest).map(([propertyName, value]) => [propertyName, value]);
    zip.addBuffer(Buffer.from(toCsv(['propertyName', 'value'], rows)), 'manifest.csv');
  }
  for (const [name, content] of Object.entries(input.files)) {
    zip.addBuffer(typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content), name);
  }
  zip.end();
  return done;
}

function addDistrictFiles(zip: ZipFile, district: District): void {
  const files: ManifestFiles = {};
  for (const file of districtFiles) files[file] = 'bulk';
  const manifest = Object.entries(oneRosterManifest(files)).map(([k, v]) => [k, v]);
  zip.addBuffer(Buffer.from(toCsv(['propertyName', 'value'], manifest)), 'manifest.csv');
  for (const file of districtFiles) {
    zip.addReadStream(Readable.from(districtCsvChunks(district, file)), `${file}.csv`);
  }
  zip.end();
}

/**
 * Writes a district as a OneRoster 1.2 bulk CSV zip, streaming: rows are
 * generated, deflated and written as they go (100,000 users and 500,000
 * enrollments in a few seconds, with little memory). Resolves with the size.
 */
export async function writeOneRosterZip(
  path: string,
  district: District,
): Promise<{ path: string; bytes: number }> {
  const zip = new ZipFile();
  addDistrictFiles(zip, district);
  const out = createWriteStream(path);
  await pipeline(zip.outputStream, out);
  return { path, bytes: out.bytesWritten };
}

/** A district as a OneRoster bulk CSV zip in memory (small districts). */
export function districtZip(district: District): Promise<Uint8Array> {
  const zip = new ZipFile();
  const done = collect(zip);
  addDistrictFiles(zip, district);
  return done;
}
