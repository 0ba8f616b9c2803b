import { buildOpenApiDocument, OpenAPIRegistry, problemResponses } from '@mathnet/kit';
import { z } from 'zod';
import {
  connectionCreateSchema,
  connectionPatchSchema,
  connectionSchema,
  runListQuerySchema,
  runSchema,
} from './schemas';

const idParams = z.object({ id: z.uuid() });
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });

/** The lms-bridge OpenAPI 3.1 document. */
export function bridgeOpenApi(): ReturnType<typeof buildOpenApiDocument> {
  const r = new OpenAPIRegistry();
  const connection = r.register('Connection', connectionSchema);
  const run = r.register('Run', runSchema);
  const queued = json(z.object({ runId: z.uuid() }));
  r.registerPath({
    method: 'get',
    path: '/v1/connectors',
    summary: 'Installed connectors with their capabilities and settings/secrets JSON Schemas',
    tags: ['connectors'],
    responses: {
      200: {
        description: 'Connectors',
        ...json(z.object({ items: z.array(z.record(z.string(), z.unknown())) })),
      },
      ...problemResponses(401),
    },
  });
  r.registerPath({
    method: 'post',
    path: '/v1/connections',
    summary:
      "Connect a school's LMS (the school's coordinator or a network admin); secrets are encrypted and never returned",
    tags: ['connections'],
    request: { body: json(connectionCreateSchema) },
    responses: { 201: { description: 'Created', ...json(connection) }, ...problemResponses(400, 401, 403) },
  });
  r.registerPath({
    method: 'get',
    path: '/v1/connections',
    summary: 'Connections the actor manages',
    tags: ['connections'],
    request: { query: z.object({ organisationId: z.uuid().optional() }) },
    responses: {
      200: {
        description: 'Connections',
        ...json(z.object({ items: z.array(connection), nextCursor: z.null() })),
      },
      ...problemResponses(401),
    },
  });
  for (const method of ['get', 'patch', 'delete'] as const) {
    r.registerPath({
      method,
      path: '/v1/connections/{id}',
      summary: {
        get: 'One connection',
        patch: 'Change settings, secrets, schedule or status',
        delete: 'Disconnect (history stays)',
      }[method],
      tags: ['connections'],
      request: { params: idParams, ...(method === 'patch' ? { body: json(connectionPatchSchema) } : {}) },
      responses: {
        [method === 'delete' ? 204 : 200]:
          method === 'delete'
            ? { description: 'Deleted' }
            : { description: 'The connection', ...json(connection) },
        ...problemResponses(400, 401, 403, 404, 412),
      },
    });
  }
  r.registerPath({
    method: 'post',
    path: '/v1/connections/{id}/test',
    summary: 'Check the credentials against the LMS',
    tags: ['connections'],
    request: { params: idParams },
    responses: {
      200: {
        description: 'ok with what the LMS said, or the typed error',
        ...json(
          z.object({
            ok: z.boolean(),
            details: z.record(z.string(), z.unknown()).optional(),
            error: z.object({ code: z.string(), message: z.string() }).optional(),
          }),
        ),
      },
      ...problemResponses(401, 403, 404),
    },
  });
  r.registerPath({
    method: 'post',
    path: '/v1/connections/{id}/sync',
    summary: 'Queue a sync run (pull from the LMS)',
    tags: ['runs'],
    request: { params: idParams },
    responses: { 202: { description: 'Queued', ...queued }, ...problemResponses(401, 403, 404, 409) },
  });
  r.registerPath({
    method: 'post',
    path: '/v1/connections/{id}/webhook',
    summary:
      "The LMS calls back (with the school's machine-client token); the connector checks the call (e.g. its signature over the body's bytes as sent) and decides whether to sync. 403 when the connector refuses the signature, 400 when it cannot read the body",
    tags: ['runs'],
    request: { params: idParams, body: json(z.record(z.string(), z.unknown())) },
    responses: {
      202: {
        description: 'Queued (runId) or nothing to do (null)',
        ...json(z.object({ runId: z.uuid().nullable() })),
      },
      ...problemResponses(400, 401, 403, 404, 409),
    },
  });
  r.registerPath({
    method: 'post',
    path: '/v1/connections/{id}/imports',
    summary: 'Import a OneRoster 1.2 CSV zip (bulk or delta) as the request body',
    tags: ['runs'],
    request: {
      params: idParams,
      body: { content: { 'application/zip': { schema: z.string().openapi({ format: 'binary' }) } } },
    },
    responses: {
      202: { description: 'Queued', ...queued },
      ...problemResponses(400, 401, 403, 404, 409, 413, 415),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/v1/runs/{id}',
    summary:
      'A run: status, counts (created, updated, deactivated, unchanged, failed) and failed records with reasons',
    tags: ['runs'],
    request: { params: idParams },
    responses: { 200: { description: 'The run', ...json(run) }, ...problemResponses(401, 403, 404) },
  });
  r.registerPath({
    method: 'get',
    path: '/v1/connections/{id}/runs',
    summary: 'Runs of a connection, newest first',
    tags: ['runs'],
    request: { params: idParams, query: runListQuerySchema },
    responses: {
      200: {
        description: 'A page',
        ...json(z.object({ items: z.array(run), nextCursor: z.string().nullable() })),
      },
      ...problemResponses(401, 403, 404),
    },
  });
  return buildOpenApiDocument(r, {
    title: 'mathnet lms-bridge',
    version: '1.0.0',
    description: "Each school's LMS plugged into the network",
  });
}
