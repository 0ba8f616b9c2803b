import {
  type EntityType,
  type ImportSource,
  InvalidDataError,
  type PulledPage,
  type RejectedRecord,
  throwIfAborted,
  validateRecords,
} from '@mathnet/lms-sdk';
import { readCsvHeader, readCsvRows } from './csv-rows';
import { type FileSpec, fileSpecs, mapRole, rolesColumns } from './file-specs';
import { type Manifest, modeOf, readManifest } from './manifest';
import { PageBuffer } from './page-buffer';
import { RowReader, splitList } from './row-reader';
import { readBirthDates, UserRoles } from './user-roles';
import { ZipArchive } from './zip-archive';

/** Options of {@link pullCsv}. */
export interface CsvPullOptions {
  signal: AbortSignal;
  /** Records per page (default 500). */
  pageSize?: number;
}

export const DEFAULT_PAGE_SIZE = 500;

/** How the users of this archive get their roles. */
type RoleSource = { kind: 'roles.csv'; mode: 'bulk' | 'delta' } | { kind: 'users.csv' } | { kind: 'none' };

function roleSourceOf(manifest: Manifest, usersHeader: string[]): RoleSource {
  const mode = modeOf(manifest, 'roles');
  if (mode !== 'absent') return { kind: 'roles.csv', mode };
  // OneRoster 1.1 puts one role and the orgs into users.csv.
  if (usersHeader.includes('role') && usersHeader.includes('orgSourcedIds')) return { kind: 'users.csv' };
  return { kind: 'none' };
}

async function checkHeader(
  archive: ZipArchive,
  file: string,
  required: readonly string[],
): Promise<string[]> {
  const header = await readCsvHeader(await archive.openStream(`${file}.csv`));
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new InvalidDataError({
      entity: file,
      file: `${file}.csv`,
      line: 1,
      reason: `the header lacks required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
    });
  }
  return header;
}

function rowRejection(
  spec: FileSpec,
  line: number,
  sourcedId: string | undefined,
  reason: string,
): RejectedRecord {
  return { entity: spec.entity, file: `${spec.file}.csv`, line, ...(sourcedId ? { sourcedId } : {}), reason };
}

/**
 * Imports a OneRoster CSV archive (zip): reads the manifest, checks that every
 * listed file is there with its required columns (before anything is yielded),
 * then streams the requested entity types in dependency order, `pageSize`
 * records per page, each page in its file's manifest mode. Bad rows are
 * rejected with file, line and reason; the good rows come through.
 */
export async function* pullCsv(
  source: ImportSource,
  entities: readonly EntityType[],
  options: CsvPullOptions,
): AsyncGenerator<PulledPage> {
  const { signal } = options;
  const pageSize =
    options.pageSize && options.pageSize >= 1 ? Math.floor(options.pageSize) : DEFAULT_PAGE_SIZE;
  throwIfAborted(signal);
  const archive = await ZipArchive.open(source);
  try {
    throwIfAborted(signal);
    const manifest = await readManifest(archive);
    let roleSource: RoleSource = { kind: 'none' };
    for (const entity of entities) {
      if (modeOf(manifest, entity) === 'absent') continue;
      const header = await checkHeader(archive, entity, fileSpecs[entity].requiredColumns);
      if (entity !== 'users') continue;
      roleSource = roleSourceOf(manifest, header);
      if (roleSource.kind === 'roles.csv') await checkHeader(archive, 'roles', rolesColumns);
      if (roleSource.kind === 'none' && modeOf(manifest, 'users') === 'bulk') {
        throw new InvalidDataError({
          entity: 'users',
          file: 'manifest.csv',
          reason:
            'users.csv is bulk but the archive has no roles (OneRoster 1.2 lists them in roles.csv: file.roles)',
        });
      }
    }
    for (const entity of entities) {
      const mode = modeOf(manifest, entity);
      if (mode === 'absent') continue;
      throwIfAborted(signal);
      if (entity === 'users') yield* pullUsers(archive, manifest, mode, roleSource, pageSize, signal);
      else yield* pullFile(archive, fileSpecs[entity], mode, pageSize, signal);
    }
  } finally {
    archive.close();
  }
}

/**
 * Streams one file's rows into the page buffer, yielding each page as it fills:
 * unreadable rows, rows with problems and repeated sourcedIds are rejected
 * with their line; the rest are validated with the sdk schema.
 */
async function* streamFile<T extends EntityType>(
  archive: ZipArchive,
  spec: FileSpec,
  buffer: PageBuffer<T>,
  mode: 'bulk' | 'delta',
  signal: AbortSignal,
  extend?: (raw: Record<string, unknown>, reader: RowReader) => void,
): AsyncGenerator<PulledPage> {
  const file = `${spec.file}.csv`;
  // Only ids, to name a repeated row; dropped with the file.
  const seen = new Set<string>();
  for await (const batch of readCsvRows(await archive.openStream(file), signal)) {
    for (const row of batch) {
      if ('error' in row) buffer.reject(rowRejection(spec, row.line, undefined, row.error));
      else {
        const reader = new RowReader(row.values, mode);
        const raw = spec.map(reader);
        const sourcedId =
          typeof raw.sourcedId === 'string' && raw.sourcedId !== '' ? raw.sourcedId : undefined;
        if (sourcedId && seen.has(sourcedId)) {
          buffer.reject(
            rowRejection(spec, row.line, sourcedId, `sourcedId ${sourcedId} appears twice in ${file}`),
          );
        } else {
          if (sourcedId) seen.add(sourcedId);
          extend?.(raw, reader);
          if (reader.problems.length > 0) {
            buffer.reject(rowRejection(spec, row.line, sourcedId, reader.problems.join('; ')));
          } else {
            const checked = validateRecords(spec.entity as T, [raw], { file, firstLine: row.line });
            for (const record of checked.records) buffer.add(record);
            for (const rejected of checked.rejected) buffer.reject(rejected);
          }
        }
      }
      if (buffer.full) {
        throwIfAborted(signal);
        yield buffer.take();
      }
    }
  }
}

/** Yields what is left in the buffer (at least one page per file read). */
function* flush<T extends EntityType>(buffer: PageBuffer<T>, signal: AbortSignal): Generator<PulledPage> {
  while (buffer.pending) {
    throwIfAborted(signal);
    yield buffer.take();
  }
}

async function* pullFile(
  archive: ZipArchive,
  spec: FileSpec,
  mode: 'bulk' | 'delta',
  pageSize: number,
  signal: AbortSignal,
): AsyncGenerator<PulledPage> {
  const buffer = new PageBuffer(spec.entity, mode, pageSize);
  yield* streamFile(archive, spec, buffer, mode, signal);
  yield* flush(buffer, signal);
}

async function* pullUsers(
  archive: ZipArchive,
  manifest: Manifest,
  mode: 'bulk' | 'delta',
  roleSource: RoleSource,
  pageSize: number,
  signal: AbortSignal,
): AsyncGenerator<PulledPage> {
  const spec = fileSpecs.users;
  const buffer = new PageBuffer('users', mode, pageSize);
  const roles =
    roleSource.kind === 'roles.csv' ? await UserRoles.read(archive, roleSource.mode, signal) : undefined;
  for (const rejected of roles?.rejected ?? []) buffer.reject(rejected);
  let birthDates = new Map<string, string>();
  if (modeOf(manifest, 'demographics') !== 'absent') {
    const read = await readBirthDates(archive, signal);
    birthDates = read.birthDates;
    for (const rejected of read.rejected) buffer.reject(rejected);
  }
  const joinRoles = (raw: Record<string, unknown>, reader: RowReader) => {
    const sourcedId = raw.sourcedId as string;
    const birthDate = birthDates.get(sourcedId);
    if (birthDate) raw.birthDate = birthDate;
    if (roleSource.kind === 'users.csv') {
      raw.roles = rolesFromUsersRow(reader);
      return;
    }
    const taken =
      roles?.take(sourcedId, raw.status as 'active' | 'tobedeleted') ??
      'no role: the archive has no roles.csv';
    if (typeof taken === 'string') reader.problems.push(taken);
    else raw.roles = taken;
  };
  yield* streamFile(archive, spec, buffer, mode, signal, joinRoles);
  if (roleSource.kind === 'roles.csv' && roles) {
    for (const rejected of roles.leftovers(roleSource.mode)) buffer.reject(rejected);
  }
  yield* flush(buffer, signal);
}

/** OneRoster 1.1 users.csv: `role` and `orgSourcedIds` on the user's row; one primary role per org. */
function rolesFromUsersRow(reader: RowReader): unknown[] {
  const value = reader.req('role');
  const orgs = splitList(reader.opt('orgSourcedIds'));
  if (orgs.length === 0) reader.problems.push('missing required value: orgSourcedIds');
  if (!value) return [];
  const mapped = mapRole(value);
  if (typeof mapped !== 'string') {
    reader.problems.push(mapped.reason);
    return [];
  }
  return orgs.map((orgSourcedId, i) => ({
    roleType: i === 0 ? 'primary' : 'secondary',
    role: mapped,
    orgSourcedId,
  }));
}
