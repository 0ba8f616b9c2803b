import type { RejectedRecord, User } from '@mathnet/lms-sdk';
import { readCsvRows } from './csv-rows';
import { mapRoleRow, type RoleRow } from './file-specs';
import { RowReader } from './row-reader';
import type { ZipArchive } from './zip-archive';

type Role = User['roles'][number];
interface PendingRole extends RoleRow {
  line: number;
}

/**
 * The roles of roles.csv (OneRoster 1.2 keeps them out of users.csv), held by
 * userSourcedId until users.csv is read. One small object per role row, so a
 * district of 100,000 users costs some tens of MB while the users are read.
 */
export class UserRoles {
  private readonly byUser = new Map<string, PendingRole[]>();
  /** Users whose role rows were (partly) rejected: their reason says so. */
  private readonly withRejectedRows = new Set<string>();
  readonly rejected: RejectedRecord[] = [];

  /** Reads roles.csv; broken rows become rejected entries of the users (file roles.csv). */
  static async read(archive: ZipArchive, mode: 'bulk' | 'delta', signal: AbortSignal): Promise<UserRoles> {
    const roles = new UserRoles();
    for await (const batch of readCsvRows(await archive.openStream('roles.csv'), signal)) {
      for (const row of batch) {
        if ('error' in row) {
          roles.rejected.push({ entity: 'users', file: 'roles.csv', line: row.line, reason: row.error });
          continue;
        }
        const reader = new RowReader(row.values, mode);
        const parsed = mapRoleRow(reader);
        if (reader.problems.length > 0) {
          if (parsed.userSourcedId) roles.withRejectedRows.add(parsed.userSourcedId);
          roles.rejected.push({
            entity: 'users',
            file: 'roles.csv',
            line: row.line,
            ...(parsed.userSourcedId ? { sourcedId: parsed.userSourcedId } : {}),
            reason: `role ${parsed.sourcedId || '(no sourcedId)'}: ${reader.problems.join('; ')}`,
          });
          continue;
        }
        const pending = parsed as PendingRole;
        pending.line = row.line;
        const list = roles.byUser.get(parsed.userSourcedId);
        if (list) list.push(pending);
        else roles.byUser.set(parsed.userSourcedId, [pending]);
      }
    }
    return roles;
  }

  /**
   * Takes the roles of one user: the active ones; for a user being deleted whose
   * role rows are all deleted too, those (the user goes with them). A string
   * says why the user has no usable role.
   */
  take(userSourcedId: string, userStatus: 'active' | 'tobedeleted'): Role[] | string {
    const rows = this.byUser.get(userSourcedId) ?? [];
    this.byUser.delete(userSourcedId);
    let chosen = rows.filter((r) => r.status === 'active');
    if (chosen.length === 0 && userStatus === 'tobedeleted') chosen = rows;
    if (chosen.length > 0) return chosen.map((r) => r.role as Role);
    if (this.withRejectedRows.has(userSourcedId)) return 'no usable role: its roles.csv rows were rejected';
    if (rows.length > 0) return 'no usable role: all its roles.csv rows are tobedeleted';
    return 'no role: roles.csv has no row for this user';
  }

  /** Role rows whose user was not in users.csv (reported once users.csv has been read). */
  leftovers(mode: 'bulk' | 'delta'): RejectedRecord[] {
    const out: RejectedRecord[] = [];
    for (const [userSourcedId, rows] of this.byUser) {
      for (const row of rows) {
        out.push({
          entity: 'users',
          file: 'roles.csv',
          line: row.line,
          sourcedId: userSourcedId,
          reason:
            mode === 'delta'
              ? `role ${row.sourcedId} changes user ${userSourcedId}, who is not in this delta's users.csv; a role change needs the user's row`
              : `role ${row.sourcedId} is for user ${userSourcedId}, who is not in users.csv`,
        });
      }
    }
    this.byUser.clear();
    return out;
  }
}

/** Birth dates from demographics.csv (optional; keyed by the user's sourcedId). */
export async function readBirthDates(
  archive: ZipArchive,
  signal: AbortSignal,
): Promise<{ birthDates: Map<string, string>; rejected: RejectedRecord[] }> {
  const birthDates = new Map<string, string>();
  const rejected: RejectedRecord[] = [];
  for await (const batch of readCsvRows(await archive.openStream('demographics.csv'), signal)) {
    for (const row of batch) {
      if ('error' in row) {
        rejected.push({ entity: 'users', file: 'demographics.csv', line: row.line, reason: row.error });
        continue;
      }
      // Demographics are never required: a bad birth date is reported and left out, the user still comes.
      const reader = new RowReader(row.values, 'bulk');
      const sourcedId = reader.opt('sourcedId');
      const birthDate = reader.date('birthDate');
      if (reader.problems.length > 0 || !sourcedId) {
        rejected.push({
          entity: 'users',
          file: 'demographics.csv',
          line: row.line,
          ...(sourcedId ? { sourcedId } : {}),
          reason: sourcedId
            ? `demographics: ${reader.problems.join('; ')}`
            : 'demographics: missing required value: sourcedId',
        });
      } else if (birthDate) birthDates.set(sourcedId, birthDate);
    }
  }
  return { birthDates, rejected };
}
