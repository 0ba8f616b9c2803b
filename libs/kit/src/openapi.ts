import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { OpenAPIRegistry };

/** The RFC 9457 problem document, as every error response of the API documents it. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

/** Standard error responses to spread into a path's `responses`. */
export function problemResponses(
  ...statuses: number[]
): Record<string, { description: string; content: Record<string, { schema: typeof problemSchema }> }> {
  const descriptions: Record<number, string> = {
    400: 'Invalid input',
    401: 'No or invalid bearer token',
    403: 'The actor may not do this',
    404: 'Not found',
    409: 'Conflict with the current state',
    412: 'If-Match does not match the current ETag',
    413: 'Body too large',
    415: 'Unsupported media type',
    429: 'Rate limited',
  };
  return Object.fromEntries(
    statuses.map((status) => [
      String(status),
      {
        description: descriptions[status] ?? 'Error',
        content: { 'application/problem+json': { schema: problemSchema } },
      },
    ]),
  );
}

/** Generates an OpenAPI 3.1 document from a registry of zod-described paths. */
export function buildOpenApiDocument(
  registry: OpenAPIRegistry,
  info: { title: string; version: string; description?: string },
): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  const generator = new OpenApiGeneratorV31(registry.definitions);
  return generator.generateDocument({ openapi: '3.1.0', info, security: [{ bearer: [] }] });
}
