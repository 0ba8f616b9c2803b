import { type OpenAPIRegistry, problemResponses } from '@mathnet/kit';
import { z } from 'zod';
import {
  itemCompleteSchema,
  routeApproveSchema,
  routeCreateSchema,
  routeExportQuerySchema,
  routeItemCreateSchema,
  routeItemSchema,
  routeListQuerySchema,
  routePatchSchema,
  routeReturnSchema,
  routeSchema,
  routeSummarySchema,
  teacherTrainingSchema,
} from './route-schemas';

const idParams = z.object({ id: z.uuid() });
const itemParams = z.object({ id: z.uuid(), itemId: z.uuid() });
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const ifMatch = z.object({ 'if-match': z.string().optional() });

/** Registers the individual-route and teacher-training paths of courses. */
export function registerRoutePaths(r: OpenAPIRegistry): void {
  const route = r.register('Route', routeSchema);
  const summary = r.register('RouteSummary', routeSummarySchema);
  const ok = (description: string) => ({ 200: { description, ...json(route) } });

  r.registerPath({
    method: 'post',
    path: '/v1/routes',
    summary:
      "Start a student's individual route for an academic year (the student, a parent, the home-school coordinator)",
    tags: ['routes'],
    request: {
      headers: z.object({ 'idempotency-key': z.string().optional() }),
      body: json(routeCreateSchema),
    },
    responses: {
      201: { description: 'Created (Location, ETag)', ...json(route) },
      ...problemResponses(400, 401, 403, 409),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/v1/routes',
    summary: 'Routes the actor may see, filtered and paginated',
    tags: ['routes'],
    request: { query: routeListQuerySchema },
    responses: {
      200: {
        description: 'A page',
        ...json(
          z.object({ items: z.array(summary), nextCursor: z.string().nullable() }).openapi('RoutePage'),
        ),
      },
      ...problemResponses(400, 401),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/v1/routes/{id}',
    summary: 'One route with items, totals, progress, validation against the policy, and its full history',
    tags: ['routes'],
    request: { params: idParams },
    responses: { ...ok('The route (ETag)'), ...problemResponses(401, 403, 404) },
  });
  r.registerPath({
    method: 'patch',
    path: '/v1/routes/{id}',
    summary: 'Change goals, mentor or project; a change to an approved route opens its next version (draft)',
    tags: ['routes'],
    request: { params: idParams, headers: ifMatch, body: json(routePatchSchema) },
    responses: { ...ok('Changed'), ...problemResponses(400, 401, 403, 404, 412) },
  });
  r.registerPath({
    method: 'post',
    path: '/v1/routes/{id}/items',
    summary:
      "Add an item: one of the student's enrollments, or an activity (research project, conference, study visit)",
    tags: ['routes'],
    request: { params: idParams, headers: ifMatch, body: json(routeItemCreateSchema) },
    responses: {
      201: { description: 'Added (Location of the item); the route', ...json(route) },
      ...problemResponses(400, 401, 403, 404, 409, 412),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/v1/routes/{id}/items/{itemId}',
    summary: 'One item of a route',
    tags: ['routes'],
    request: { params: itemParams },
    responses: {
      200: { description: 'The item', ...json(routeItemSchema) },
      ...problemResponses(401, 403, 404),
    },
  });
  r.registerPath({
    method: 'delete',
    path: '/v1/routes/{id}/items/{itemId}',
    summary: 'Remove an item; on an approved route this opens its next version',
    tags: ['routes'],
    request: { params: itemParams, headers: ifMatch },
    responses: { ...ok('Removed; the route'), ...problemResponses(401, 403, 404, 412) },
  });
  r.registerPath({
    method: 'post',
    path: '/v1/routes/{id}/items/{itemId}/complete',
    summary: 'Record an activity of an approved route as done (home-school coordinator or mentor)',
    tags: ['routes'],
    request: { params: itemParams, headers: ifMatch, body: json(itemCompleteSchema) },
    responses: { ...ok('Recorded'), ...problemResponses(400, 401, 403, 404, 409, 412) },
  });
  const steps: [string, string, z.ZodType | undefined][] = [
    ['submit', 'Submit a draft for approval (409 listing the problems when it breaks the policy)', undefined],
    [
      'approve',
      'Approve a submitted route with the order number and date (home-school coordinator); emits mathnet.courses.route.approved',
      routeApproveSchema,
    ],
    [
      'return',
      'Return a submitted route to draft with a reason (home-school coordinator)',
      routeReturnSchema,
    ],
  ];
  for (const [action, text, body] of steps) {
    r.registerPath({
      method: 'post',
      path: `/v1/routes/{id}/${action}`,
      summary: text,
      tags: ['routes'],
      request: { params: idParams, headers: ifMatch, ...(body ? { body: json(body) } : {}) },
      responses: { ...ok('The route after the step'), ...problemResponses(400, 401, 403, 404, 409, 412) },
    });
  }
  r.registerPath({
    method: 'get',
    path: '/v1/routes/{id}/export',
    summary: 'The route as a PDF document («Индивидуальный учебный план») or CSV (UTF-8 with BOM)',
    tags: ['routes'],
    request: { params: idParams, query: routeExportQuerySchema },
    responses: {
      200: {
        description: 'The document (Content-Disposition: attachment)',
        content: {
          'application/pdf': { schema: z.string().openapi({ format: 'binary' }) },
          'text/csv': { schema: z.string() },
        },
      },
      ...problemResponses(400, 401, 403, 404),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/v1/teachers/{id}/training',
    summary:
      "A teacher's training record: enrollments in teacher courses and completed hours (the teacher, their coordinator, the district)",
    tags: ['teachers'],
    request: { params: idParams },
    responses: {
      200: { description: 'The record', ...json(teacherTrainingSchema) },
      ...problemResponses(401, 403, 404),
    },
  });
}
