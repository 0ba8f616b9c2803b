import { z } from 'zod';
import '@mathnet/kit';

export const connectionCreateSchema = z
  .strictObject({
    organisationId: z.uuid(),
    connector: z.string().min(1).max(60),
    name: z.string().trim().min(1).max(200).optional(),
    settings: z.record(z.string(), z.unknown()).optional(),
    secrets: z.record(z.string(), z.unknown()).optional(),
    scheduleMinutes: z.number().int().min(5).max(10_080).optional(),
  })
  .openapi('ConnectionCreate');

export const connectionPatchSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    settings: z.record(z.string(), z.unknown()).optional(),
    secrets: z.record(z.string(), z.unknown()).optional(),
    scheduleMinutes: z.number().int().min(5).max(10_080).nullable().optional(),
    status: z.enum(['active', 'disabled']).optional(),
  })
  .openapi('ConnectionPatch');

export const countsSchema = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  deactivated: z.number().int(),
  unchanged: z.number().int(),
  failed: z.number().int(),
});

export const connectionSchema = z
  .object({
    id: z.uuid(),
    organisationId: z.uuid(),
    connector: z.string(),
    name: z.string(),
    settings: z.record(z.string(), z.unknown()),
    /** Names of the secrets that are set; their values are never returned. */
    secretsSet: z.array(z.string()),
    status: z.enum(['active', 'disabled']),
    scheduleMinutes: z.number().int().nullable(),
    lastRunAt: z.string().nullable(),
    lastError: z.string().nullable(),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Connection');

export const runSchema = z
  .object({
    id: z.uuid(),
    connectionId: z.uuid(),
    organisationId: z.uuid(),
    trigger: z.string(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    counts: countsSchema,
    errors: z.array(
      z.object({
        entity: z.string(),
        sourcedId: z.string().optional(),
        file: z.string().optional(),
        line: z.number().optional(),
        reason: z.string(),
      }),
    ),
    error: z.string().nullable(),
    attempts: z.number().int(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .openapi('Run');

export const runListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
