import { InvalidDataError } from '@mathnet/lms-sdk';
import { readCsvRows } from './csv-rows';
import type { ZipArchive } from './zip-archive';

/** How the manifest says a file is delivered. */
export type FileMode = 'bulk' | 'delta' | 'absent';

/** What manifest.csv says about an archive. */
export interface Manifest {
  manifestVersion: string;
  /** `1.2` (or `1.2.x`); `1.1` archives are read too (roles inside users.csv). */
  oneRosterVersion: string;
  /** `file.<name>` entries: file name without `.csv` → mode. */
  files: Map<string, FileMode>;
  /** Every property as given, e.g. `source.systemName`. */
  properties: Map<string, string>;
}

const MANIFEST = 'manifest.csv';

function invalid(reason: string, line?: number): InvalidDataError {
  return new InvalidDataError({ entity: 'manifest', file: MANIFEST, line, reason });
}

/**
 * Reads and checks manifest.csv (`propertyName,value` rows): the versions, the
 * mode of each file, and that every file listed as bulk or delta is in the
 * archive. Any problem makes the whole import invalid.
 */
export async function readManifest(archive: ZipArchive): Promise<Manifest> {
  if (!archive.has(MANIFEST))
    throw invalid('the archive has no manifest.csv; a OneRoster CSV archive needs one');
  const properties = new Map<string, string>();
  const files = new Map<string, FileMode>();
  for await (const batch of readCsvRows(await archive.openStream(MANIFEST))) {
    for (const row of batch) {
      if ('error' in row) throw invalid(row.error, row.line);
      const name = row.values.propertyName?.trim();
      const value = row.values.value?.trim() ?? '';
      if (!name) throw invalid('each row needs a propertyName (columns: propertyName,value)', row.line);
      properties.set(name, value);
      if (name.startsWith('file.')) {
        const mode = value.toLowerCase();
        if (mode !== 'bulk' && mode !== 'delta' && mode !== 'absent') {
          throw invalid(`${name} is "${value}"; expected bulk, delta or absent`, row.line);
        }
        files.set(name.slice('file.'.length), mode);
      }
    }
  }
  const manifestVersion = properties.get('manifest.version');
  if (manifestVersion !== '1.0') {
    throw invalid(
      `manifest.version is ${manifestVersion === undefined ? 'missing' : `"${manifestVersion}"`}; expected 1.0`,
    );
  }
  const oneRosterVersion = properties.get('oneroster.version') ?? '';
  if (!/^1\.(1|2)(\.\d+)?$/.test(oneRosterVersion)) {
    throw invalid(
      `oneroster.version is ${oneRosterVersion === '' ? 'missing' : `"${oneRosterVersion}"`}; this connector reads 1.2 (and 1.1)`,
    );
  }
  const missing = [...files]
    .filter(([name, mode]) => mode !== 'absent' && !archive.has(`${name}.csv`))
    .map(([name, mode]) => `${name}.csv (${mode})`);
  if (missing.length > 0) {
    throw invalid(
      `the manifest lists ${missing.join(', ')} but the archive does not hold ${missing.length > 1 ? 'them' : 'it'}`,
    );
  }
  return { manifestVersion, oneRosterVersion, files, properties };
}

/** The mode of one file (`absent` when the manifest does not list it). */
export function modeOf(manifest: Manifest, file: string): FileMode {
  return manifest.files.get(file) ?? 'absent';
}
