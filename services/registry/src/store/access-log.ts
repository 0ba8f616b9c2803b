import {
  type AccessAction,
  type AccessActor,
  type Db,
  listAccess as listAccessIn,
  recordAccess as recordAccessIn,
  type Tx,
} from '@mathnet/db';
import { personalDataAccess } from './schema';

export type { AccessAction, AccessEntry } from '@mathnet/db';

/**
 * Appends one record to registry's access log (libs/db `recordAccess`). Called before the
 * answer is sent, so a request whose record could not be written fails instead of handing
 * out data unlogged.
 */
export const recordAccess = (
  db: Db | Tx,
  entry: { actor: AccessActor; action: AccessAction; personIds: string[]; requestId?: unknown },
) => recordAccessIn(db, personalDataAccess, entry);

/** The newest accesses to one person's record first, `limit + 1` rows for paging. */
export const listAccess = (
  db: Db,
  personId: string,
  options: { beforeId?: string | undefined; limit: number },
) => listAccessIn(db, personalDataAccess, personId, options);
