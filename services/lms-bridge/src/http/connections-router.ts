import { createHash } from 'node:crypto';
import { type Actor, canManageOrganisation, requireActor } from '@mathnet/auth';
import type { Db, UnitOfWork } from '@mathnet/db';
import {
  ConflictError,
  checkIfMatch,
  InputError,
  issuesOf,
  NotAllowedError,
  NotFoundError,
  parseInput,
  setEtag,
  UnsupportedMediaTypeError,
  uuidParam,
} from '@mathnet/kit';
import {
  AuthFailedError,
  type ConnectorDefinition,
  ConnectorError,
  describeConnector,
  type LmsSession,
  type WebhookOutcome,
} from '@mathnet/lms-sdk';
import { and, eq, isNull } from 'drizzle-orm';
import express, { type Request, Router } from 'express';
import { v7 as uuidv7 } from 'uuid';
import type { ConnectionOpener } from '../connectors/connection-opener';
import type { SecretBox } from '../secrets/secret-box';
import { connections, runs, uploads } from '../store/schema';
import { assertManages, assertMayTrigger } from './connection-access';
import { connectionCreateSchema, connectionPatchSchema } from './schemas';

type ConnectionRow = typeof connections.$inferSelect;

export interface ConnectionsRouterDeps {
  db: Db;
  work: UnitOfWork;
  connectors: Map<string, ConnectorDefinition>;
  box: SecretBox;
  opener: ConnectionOpener;
  maxImportBytes: number;
  /** Called after a run is queued, so the worker starts at once. */
  onQueued: () => void;
}

function validateWith(
  definition: ConnectorDefinition,
  what: 'settings' | 'secrets',
  value: unknown,
): Record<string, unknown> {
  const schema = what === 'settings' ? definition.settingsSchema : definition.secretsSchema;
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const issues = issuesOf(result.error).map((i) => ({ ...i, path: i.path ? `${what}.${i.path}` : what }));
    throw new InputError(
      `${what} do not fit the ${definition.id} connector: ${issues[0]?.path}: ${issues[0]?.message}`,
      issues,
    );
  }
  return (result.data ?? {}) as Record<string, unknown>;
}

function toConnection(row: ConnectionRow, box: SecretBox) {
  const secrets = row.secretsSealed ? (box.open(row.secretsSealed) as Record<string, unknown>) : {};
  return {
    id: row.id,
    organisationId: row.organisationId,
    connector: row.connectorId,
    name: row.name,
    settings: row.settings,
    secretsSet: Object.keys(secrets).filter((k) => secrets[k] !== undefined && secrets[k] !== ''),
    status: row.status as 'active' | 'disabled',
    scheduleMinutes: row.scheduleMinutes,
    lastRunAt: row.lastRunAt?.toISOString() ?? null,
    lastError: row.lastError,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** `/v1/connectors`, `/v1/connections…`: a school's LMS connections, their tests, syncs and imports. */
export function connectionsRouter(deps: ConnectionsRouterDeps): Router {
  const { db, connectors, box } = deps;
  const router = Router();

  const load = async (id: string | undefined): Promise<ConnectionRow> => {
    const [row] = await db
      .select()
      .from(connections)
      .where(and(eq(connections.id, uuidParam(id, 'connection')), isNull(connections.deletedAt)));
    if (!row) throw new NotFoundError(`No connection ${id}`);
    return row;
  };
  const connectorOf = (id: string): ConnectorDefinition => {
    const definition = connectors.get(id);
    if (!definition)
      throw new InputError(
        `connector: ${id} is not installed; installed: ${[...connectors.keys()].join(', ')}`,
      );
    return definition;
  };

  router.get('/v1/connectors', (req, res) => {
    requireActor(req);
    res.json({ items: [...connectors.values()].map(describeConnector) });
  });

  router.post('/v1/connections', async (req, res) => {
    const actor = requireActor(req);
    const input = parseInput(connectionCreateSchema, req.body);
    assertManages(actor, input.organisationId);
    const definition = connectorOf(input.connector);
    const settings = validateWith(definition, 'settings', input.settings);
    const secrets = validateWith(definition, 'secrets', input.secrets);
    const [row] = await db
      .insert(connections)
      .values({
        id: uuidv7(),
        organisationId: input.organisationId,
        connectorId: definition.id,
        name: input.name ?? definition.displayName,
        settings,
        secretsSealed: Object.keys(secrets).length ? box.seal(secrets) : null,
        scheduleMinutes: input.scheduleMinutes ?? null,
        createdBy: actor.subject,
      })
      .returning();
    res.setHeader('Location', `/v1/connections/${row!.id}`);
    setEtag(res, row!.version);
    res.status(201).json(toConnection(row!, box));
  });

  router.get('/v1/connections', async (req, res) => {
    const actor = requireActor(req);
    const organisationId =
      typeof req.query.organisationId === 'string' ? req.query.organisationId : undefined;
    const rows = await db.select().from(connections).where(isNull(connections.deletedAt));
    const visible = rows.filter(
      (r) => (!organisationId || r.organisationId === organisationId) && canSee(actor, r.organisationId),
    );
    res.json({ items: visible.map((r) => toConnection(r, box)), nextCursor: null });
  });

  router.get('/v1/connections/:id', async (req, res) => {
    const row = await load(req.params.id);
    assertManages(requireActor(req), row.organisationId);
    setEtag(res, row.version);
    res.json(toConnection(row, box));
  });

  router.patch('/v1/connections/:id', async (req, res) => {
    const actor = requireActor(req);
    const current = await load(req.params.id);
    assertManages(actor, current.organisationId);
    checkIfMatch(req, current.version);
    const patch = parseInput(connectionPatchSchema, req.body);
    const definition = connectorOf(current.connectorId);
    const [row] = await db
      .update(connections)
      .set({
        ...(patch.name ? { name: patch.name } : {}),
        ...(patch.settings ? { settings: validateWith(definition, 'settings', patch.settings) } : {}),
        ...(patch.secrets
          ? { secretsSealed: box.seal(validateWith(definition, 'secrets', patch.secrets)) }
          : {}),
        ...(patch.scheduleMinutes !== undefined ? { scheduleMinutes: patch.scheduleMinutes } : {}),
        ...(patch.status ? { status: patch.status } : {}),
        version: current.version + 1,
        updatedAt: new Date(),
      })
      .where(eq(connections.id, current.id))
      .returning();
    setEtag(res, row!.version);
    res.json(toConnection(row!, box));
  });

  router.delete('/v1/connections/:id', async (req, res) => {
    const current = await load(req.params.id);
    assertManages(requireActor(req), current.organisationId);
    // Soft delete: runs and mappings stay as history; nothing the LMS sent is removed from the network.
    await db
      .update(connections)
      .set({ deletedAt: new Date(), status: 'disabled', secretsSealed: null })
      .where(eq(connections.id, current.id));
    res.status(204).end();
  });

  router.post('/v1/connections/:id/test', async (req, res) => {
    const current = await load(req.params.id);
    assertManages(requireActor(req), current.organisationId);
    const opened = await deps.opener.open(current.id);
    try {
      const details = await opened.session.test(AbortSignal.timeout(15_000));
      res.json({ ok: true, details });
    } catch (error) {
      if (error instanceof ConnectorError)
        res.json({ ok: false, error: { code: error.code, message: error.message } });
      else if (error instanceof Error && error.name === 'TimeoutError')
        res.json({
          ok: false,
          error: { code: 'lms_unavailable', message: 'The LMS did not answer within 15 s' },
        });
      else throw error;
    } finally {
      await opened.session.close?.();
    }
  });

  const queue = async (row: ConnectionRow, trigger: string, uploadId?: string) => {
    if (row.status !== 'active') throw new ConflictError('The connection is disabled');
    const id = uuidv7();
    await db.insert(runs).values({
      id,
      connectionId: row.id,
      organisationId: row.organisationId,
      trigger,
      ...(uploadId ? { uploadId } : {}),
    });
    deps.onQueued();
    return id;
  };

  router.post('/v1/connections/:id/sync', async (req, res) => {
    const current = await load(req.params.id);
    assertMayTrigger(requireActor(req), current.organisationId);
    const definition = connectorOf(current.connectorId);
    if (!definition.capabilities.some((c) => c === 'roster.pull' || c === 'courses.pull')) {
      throw new ConflictError(`The ${definition.id} connector cannot pull from the LMS`);
    }
    res.status(202).json({ runId: await queue(current, 'manual') });
  });

  router.post(
    '/v1/connections/:id/imports',
    express.raw({ type: () => true, limit: deps.maxImportBytes }),
    async (req, res) => {
      const current = await load(req.params.id);
      assertMayTrigger(requireActor(req), current.organisationId);
      const type = req.get('content-type') ?? '';
      if (!/^(application\/(zip|x-zip-compressed|octet-stream))\b/.test(type)) {
        throw new UnsupportedMediaTypeError('Send the import as application/zip (a OneRoster CSV zip)');
      }
      const data = req.body as Buffer;
      if (!Buffer.isBuffer(data) || data.length < 22 || data.readUInt32LE(0) !== 0x04034b50)
        throw new InputError('The body is not a zip archive');
      const uploadId = uuidv7();
      await db.insert(uploads).values({
        id: uploadId,
        connectionId: current.id,
        data,
        size: data.length,
        sha256: createHash('sha256').update(data).digest('hex'),
      });
      res.status(202).json({ runId: await queue(current, 'import', uploadId) });
    },
  );

  router.post('/v1/connections/:id/webhook', async (req, res) => {
    const current = await load(req.params.id);
    assertMayTrigger(requireActor(req), current.organisationId);
    const definition = connectorOf(current.connectorId);
    if (!definition.capabilities.includes('webhooks'))
      throw new ConflictError(`The ${definition.id} connector takes no webhooks`);
    const opened = await deps.opener.open(current.id);
    try {
      const outcome = await webhookOutcome(opened.session, req);
      if (outcome.sync.length === 0) {
        res.status(202).json({ runId: null });
        return;
      }
      res.status(202).json({ runId: await queue(current, 'webhook') });
    } finally {
      await opened.session.close?.();
    }
  });

  return router;
}

/**
 * Hands the call to the connector. What it refuses is the caller's problem, not the
 * bridge's: a bad signature is 403, a body it cannot read 400 (a problem+json each, never
 * a 500).
 */
async function webhookOutcome(session: LmsSession, req: Request): Promise<WebhookOutcome> {
  try {
    return await session.handleWebhook!(
      req.body,
      Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
      ),
      // The bytes as the LMS sent them (kit's body parsers keep them): what its signature covers.
      req.rawBody ?? Buffer.alloc(0),
    );
  } catch (error) {
    if (error instanceof AuthFailedError)
      throw new NotAllowedError(`The LMS call was refused: ${error.message}`);
    if (error instanceof ConnectorError) throw new InputError(`The LMS call was refused: ${error.message}`);
    throw error;
  }
}

function canSee(actor: Actor, organisationId: string): boolean {
  return canManageOrganisation(actor, organisationId);
}
