import { buildOpenApiDocument, OpenAPIRegistry, problemResponses } from '@mathnet/kit';
import { z } from 'zod';
import { accessLogQuerySchema } from './access-log-router';
import {
  completeSchema,
  creditSchema,
  enrollmentListQuerySchema,
  enrollmentRequestSchema,
  enrollmentSchema,
  reasonSchema,
  rejectSchema,
} from './enrollment-schemas';
import {
  offeringCreateSchema,
  offeringListQuerySchema,
  offeringPatchSchema,
  offeringSchema,
} from './offering-schemas';
import { registerRoutePaths } from './route-openapi';

const idParams = z.object({ id: z.uuid() });
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const page = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);

/** The courses OpenAPI 3.1 document, generated from the zod schemas that validate requests. */
export function coursesOpenApi(): ReturnType<typeof buildOpenApiDocument> {
  const r = new OpenAPIRegistry();
  const offering = r.register('Offering', offeringSchema);
  const enrollment = r.register('Enrollment', enrollmentSchema);

  r.registerPath({
    method: 'post',
    path: '/v1/offerings',
    summary: 'Create an offering (draft) of the provider (its coordinator or partner staff)',
    tags: ['catalogue'],
    request: {
      headers: z.object({ 'idempotency-key': z.string().optional() }),
      body: json(offeringCreateSchema),
    },
    responses: { 201: { description: 'Created', ...json(offering) }, ...problemResponses(400, 401, 403) },
  });
  r.registerPath({
    method: 'get',
    path: '/v1/offerings',
    summary: 'Search the network catalogue (published by default), filtered, sorted and paginated',
    tags: ['catalogue'],
    request: { query: offeringListQuerySchema },
    responses: {
      200: { description: 'A page', ...json(page(offering, 'OfferingPage')) },
      ...problemResponses(400, 401),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/v1/offerings/{id}',
    summary: 'One offering (drafts only for their provider)',
    tags: ['catalogue'],
    request: { params: idParams },
    responses: {
      200: { description: 'The offering (ETag)', ...json(offering) },
      ...problemResponses(401, 404),
    },
  });
  r.registerPath({
    method: 'patch',
    path: '/v1/offerings/{id}',
    summary: 'Change an offering (its provider); more capacity promotes the waitlist',
    tags: ['catalogue'],
    request: {
      params: idParams,
      headers: z.object({ 'if-match': z.string().optional() }),
      body: json(offeringPatchSchema),
    },
    responses: {
      200: { description: 'Changed', ...json(offering) },
      ...problemResponses(400, 401, 403, 404, 409, 412),
    },
  });
  for (const action of ['publish', 'archive'] as const) {
    r.registerPath({
      method: 'post',
      path: `/v1/offerings/{id}/${action}`,
      summary: action === 'publish' ? 'Publish a draft to the catalogue' : 'Archive an offering',
      tags: ['catalogue'],
      request: { params: idParams },
      responses: { 200: { description: 'Done', ...json(offering) }, ...problemResponses(401, 403, 404, 409) },
    });
  }
  r.registerPath({
    method: 'post',
    path: '/v1/offerings/{id}/enrollments',
    summary: 'Request a seat for a student (the student, a parent, or the home-school coordinator)',
    tags: ['enrollment'],
    request: { params: idParams, body: json(enrollmentRequestSchema) },
    responses: {
      201: { description: 'Requested', ...json(enrollment) },
      ...problemResponses(400, 401, 403, 404, 409),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/v1/enrollments',
    summary: 'Enrollments the actor may see',
    tags: ['enrollment'],
    request: { query: enrollmentListQuerySchema },
    responses: {
      200: { description: 'A page', ...json(page(enrollment, 'EnrollmentPage')) },
      ...problemResponses(400, 401),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/v1/enrollments/{id}',
    summary: 'One enrollment with every step (actor, time)',
    tags: ['enrollment'],
    request: { params: idParams },
    responses: {
      200: { description: 'The enrollment', ...json(enrollment) },
      ...problemResponses(401, 403, 404),
    },
  });
  const steps: [string, string, z.ZodType][] = [
    ['consent', 'A parent consents (minors)', reasonSchema],
    ['approve', 'The home-school coordinator approves (no timetable clash)', reasonSchema],
    ['accept', 'The provider accepts: enrolled while seats and quota remain, else waitlisted', reasonSchema],
    ['reject', 'Reject with a reason (home school before approval, provider after)', rejectSchema],
    ['withdraw', 'Withdraw; a freed seat goes to the earliest waitlisted', reasonSchema],
    [
      'complete',
      'Record the result: completed when passed, failed otherwise (a teacher of the provider)',
      completeSchema,
    ],
    ['credit', "The home school's credit-transfer decision on a finished enrollment", creditSchema],
  ];
  for (const [action, summary, body] of steps) {
    r.registerPath({
      method: 'post',
      path: `/v1/enrollments/{id}/${action}`,
      summary,
      tags: ['enrollment'],
      request: { params: idParams, body: json(body) },
      responses: {
        200: { description: 'The enrollment after the step', ...json(enrollment) },
        ...problemResponses(400, 401, 403, 404, 409),
      },
    });
  }
  r.registerPath({
    method: 'get',
    path: '/v1/people/{id}/access-log',
    summary:
      "Who saw or changed this person's enrollments, routes or training record in courses, newest first (the person, a parent, a coordinator of their school, the district; registry keeps the log of the person's record itself)",
    tags: ['people'],
    request: { params: idParams, query: accessLogQuerySchema },
    responses: {
      200: {
        description: 'Access records',
        ...json(
          page(
            z.object({
              id: z.uuid(),
              at: z.iso.datetime(),
              actorId: z.string(),
              actorKind: z.enum(['person', 'client']),
              action: z.enum(['read', 'list', 'create', 'update', 'export']),
              requestId: z.string().nullable(),
            }),
            'AccessLog',
          ),
        ),
      },
      ...problemResponses(400, 401, 403, 404),
    },
  });
  registerRoutePaths(r);
  return buildOpenApiDocument(r, {
    title: 'mathnet courses',
    version: '1.0.0',
    description: 'Network catalogue, enrollment across schools, individual routes and credit transfer',
  });
}
