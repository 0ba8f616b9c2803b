import { requireActor } from '@mathnet/auth';
import type { Db } from '@mathnet/db';
import { InputError, NotFoundError, parseInput, uuidParam } from '@mathnet/kit';
import { and, desc, eq, isNull, lt } from 'drizzle-orm';
import { Router } from 'express';
import { connections, runs } from '../store/schema';
import { assertManages } from './connection-access';
import { runListQuerySchema } from './schemas';

type RunRow = typeof runs.$inferSelect;

export function toRun(row: RunRow) {
  return {
    id: row.id,
    connectionId: row.connectionId,
    organisationId: row.organisationId,
    trigger: row.trigger,
    status: row.status as 'queued' | 'running' | 'succeeded' | 'failed',
    counts: row.counts,
    errors: row.errors,
    error: row.error,
    attempts: row.attempts,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

/** `/v1/runs/{id}` and `/v1/connections/{id}/runs`: sync runs and their reports. */
export function runsRouter(db: Db): Router {
  const router = Router();

  router.get('/v1/runs/:id', async (req, res) => {
    const actor = requireActor(req);
    const [row] = await db
      .select()
      .from(runs)
      .where(eq(runs.id, uuidParam(req.params.id, 'run')));
    if (!row) throw new NotFoundError(`No run ${req.params.id}`);
    assertManages(actor, row.organisationId);
    res.json(toRun(row));
  });

  router.get('/v1/connections/:id/runs', async (req, res) => {
    const actor = requireActor(req);
    const query = parseInput(runListQuerySchema, req.query, 'query');
    const [connection] = await db
      .select()
      .from(connections)
      .where(and(eq(connections.id, uuidParam(req.params.id, 'connection')), isNull(connections.deletedAt)));
    if (!connection) throw new NotFoundError(`No connection ${req.params.id}`);
    assertManages(actor, connection.organisationId);
    let before: string | undefined;
    if (query.cursor) {
      before = Buffer.from(query.cursor, 'base64url').toString('utf8');
      if (!/^[0-9a-f-]{36}$/.test(before))
        throw new InputError('cursor: expected a cursor returned as nextCursor');
    }
    const rows = await db
      .select()
      .from(runs)
      .where(and(eq(runs.connectionId, connection.id), ...(before ? [lt(runs.id, before)] : [])))
      .orderBy(desc(runs.id))
      .limit(query.limit + 1);
    const page = rows.slice(0, query.limit);
    res.json({
      items: page.map(toRun),
      nextCursor: rows.length > query.limit ? Buffer.from(page.at(-1)!.id).toString('base64url') : null,
    });
  });

  return router;
}
