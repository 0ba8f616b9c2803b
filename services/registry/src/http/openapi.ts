import { buildOpenApiDocument, OpenAPIRegistry, problemResponses } from '@mathnet/kit';
import { z } from 'zod';
import {
  clientCreateSchema,
  consentGrantSchema,
  consentSchema,
  consentWithdrawSchema,
  listOf,
  listQuerySchema,
  organisationCreateSchema,
  organisationListQuerySchema,
  organisationPatchSchema,
  organisationSchema,
  passwordChangeSchema,
  personCreateSchema,
  personListQuerySchema,
  personPatchSchema,
  personSchema,
} from './schemas';

const idParams = z.object({ id: z.uuid() });
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const ifMatch = z.object({ 'if-match': z.string().optional() });
const idempotencyKey = z.object({ 'idempotency-key': z.string().optional() });

/** The registry's OpenAPI 3.1 document, generated from the same zod schemas that validate requests. */
export function registryOpenApi(): ReturnType<typeof buildOpenApiDocument> {
  const r = new OpenAPIRegistry();
  const organisation = r.register('Organisation', organisationSchema);
  const person = r.register('Person', personSchema);

  r.registerPath({
    method: 'post',
    path: '/auth/token',
    summary: 'OAuth 2.0 token endpoint (password, refresh_token, client_credentials grants)',
    tags: ['auth'],
    security: [],
    request: {
      body: {
        content: {
          'application/x-www-form-urlencoded': {
            schema: z.object({
              grant_type: z.enum(['password', 'refresh_token', 'client_credentials']),
              username: z.string().optional(),
              password: z.string().optional(),
              refresh_token: z.string().optional(),
              client_id: z.string().optional(),
              client_secret: z.string().optional(),
            }),
          },
        },
      },
    },
    responses: {
      200: {
        description: 'Tokens',
        ...json(
          z.object({
            access_token: z.string(),
            token_type: z.literal('Bearer'),
            expires_in: z.number(),
            refresh_token: z.string().optional(),
          }),
        ),
      },
      400: {
        description: 'RFC 6749 error, e.g. invalid_grant',
        ...json(z.object({ error: z.string(), error_description: z.string() })),
      },
      401: {
        description: 'invalid_client',
        ...json(z.object({ error: z.string(), error_description: z.string() })),
      },
    },
  });
  r.registerPath({
    method: 'get',
    path: '/.well-known/jwks.json',
    summary: 'Public keys that verify access tokens (JWKS)',
    tags: ['auth'],
    security: [],
    responses: {
      200: {
        description: 'JWK set',
        ...json(z.object({ keys: z.array(z.record(z.string(), z.unknown())) })),
      },
    },
  });

  r.registerPath({
    method: 'post',
    path: '/v1/organisations',
    summary: 'Register an organisation of the network (network admin)',
    tags: ['organisations'],
    request: { headers: idempotencyKey, body: json(organisationCreateSchema) },
    responses: {
      201: { description: 'Registered', ...json(organisation) },
      ...problemResponses(400, 401, 403, 409, 413, 415),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/v1/organisations',
    summary: 'List organisations',
    tags: ['organisations'],
    request: { query: organisationListQuerySchema },
    responses: {
      200: { description: 'A page', ...json(listOf(organisation, 'OrganisationPage')) },
      ...problemResponses(400, 401),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/v1/organisations/{id}',
    summary: 'One organisation',
    tags: ['organisations'],
    request: { params: idParams },
    responses: {
      200: { description: 'The organisation (ETag)', ...json(organisation) },
      ...problemResponses(401, 404),
    },
  });
  r.registerPath({
    method: 'patch',
    path: '/v1/organisations/{id}',
    summary: 'Change an organisation (network admin; its coordinator: name, address, contacts, profiles)',
    tags: ['organisations'],
    request: { params: idParams, headers: ifMatch, body: json(organisationPatchSchema) },
    responses: {
      200: { description: 'Changed', ...json(organisation) },
      ...problemResponses(400, 401, 403, 404, 412),
    },
  });
  r.registerPath({
    method: 'post',
    path: '/v1/organisations/{id}/clients',
    summary: 'Create a machine client (client_credentials) of the organisation; the secret is shown once',
    tags: ['organisations'],
    request: { params: idParams, body: json(clientCreateSchema) },
    responses: {
      201: {
        description: 'Created',
        ...json(
          z.object({
            clientId: z.string(),
            clientSecret: z.string(),
            name: z.string(),
            organisationId: z.uuid(),
          }),
        ),
      },
      ...problemResponses(400, 401, 403, 404),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/v1/organisations/{id}/clients',
    summary: 'Machine clients of the organisation (no secrets)',
    tags: ['organisations'],
    request: { params: idParams },
    responses: {
      200: {
        description: 'Clients',
        ...json(z.object({ items: z.array(z.object({ clientId: z.string(), name: z.string() })) })),
      },
      ...problemResponses(401, 403, 404),
    },
  });

  r.registerPath({
    method: 'post',
    path: '/v1/account/password',
    summary:
      'Change your own password (the current one is required); every refresh token of the account is revoked, so other sessions end. After 5 wrong current passwords in 15 minutes: 429 with Retry-After',
    tags: ['auth'],
    request: { body: json(passwordChangeSchema) },
    responses: {
      204: { description: 'Changed; sign in again with the new password for a new refresh token' },
      ...problemResponses(400, 401, 403, 404, 429),
    },
  });

  r.registerPath({
    method: 'post',
    path: '/v1/people',
    summary: 'Register a person with roles per organisation, optionally with a login account',
    tags: ['people'],
    request: { headers: idempotencyKey, body: json(personCreateSchema) },
    responses: {
      201: { description: 'Registered', ...json(person) },
      ...problemResponses(400, 401, 403, 409),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/v1/people',
    summary: 'List people (scoped to what the actor may see)',
    tags: ['people'],
    request: { query: personListQuerySchema },
    responses: {
      200: { description: 'A page', ...json(listOf(person, 'PersonPage')) },
      ...problemResponses(400, 401, 403),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/v1/people/{id}',
    summary: 'One person',
    tags: ['people'],
    request: { params: idParams },
    responses: {
      200: { description: 'The person (ETag)', ...json(person) },
      ...problemResponses(401, 403, 404),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/v1/people/{id}/access-log',
    summary:
      "Who read or changed this person's record, newest first (the person, a parent, their school's coordinators, the district)",
    tags: ['people'],
    request: { params: idParams, query: listQuerySchema },
    responses: {
      200: {
        description: 'Access records',
        ...json(
          listOf(
            z.object({
              id: z.uuid(),
              at: z.iso.datetime(),
              actorId: z.string(),
              actorKind: z.enum(['person', 'client']),
              action: z.enum(['read', 'list', 'create', 'update']),
              requestId: z.string().nullable(),
            }),
            'AccessLog',
          ),
        ),
      },
      ...problemResponses(400, 401, 403, 404),
    },
  });
  const consent = r.register('Consent', consentSchema);
  r.registerPath({
    method: 'post',
    path: '/v1/people/{id}/consents',
    summary:
      "Give a consent to the processing of the person's data (152-ФЗ): the person if adult, a parent for a minor, or the person's coordinator or the district recording a signed paper form (evidence required). One granted consent per purpose",
    tags: ['consents'],
    request: { params: idParams, body: json(consentGrantSchema) },
    responses: {
      201: {
        description: 'Granted (Location); announced as mathnet.registry.consent.granted',
        ...json(consent),
      },
      ...problemResponses(400, 401, 403, 404, 409),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/v1/people/{id}/consents',
    summary:
      "The person's consents, newest first, withdrawn ones included (the person, a parent, their coordinators, the district)",
    tags: ['consents'],
    request: { params: idParams },
    responses: {
      200: { description: 'Consents', ...json(z.object({ items: z.array(consent) }).openapi('ConsentList')) },
      ...problemResponses(401, 403, 404),
    },
  });
  r.registerPath({
    method: 'post',
    path: '/v1/people/{id}/consents/{consentId}/withdraw',
    summary:
      'Withdraw a granted consent (who may give it may withdraw it; recorded on paper: evidence required); kept as history',
    tags: ['consents'],
    request: {
      params: z.object({ id: z.uuid(), consentId: z.uuid() }),
      body: json(consentWithdrawSchema),
    },
    responses: {
      200: { description: 'Withdrawn; announced as mathnet.registry.consent.withdrawn', ...json(consent) },
      ...problemResponses(400, 401, 403, 404, 409),
    },
  });
  r.registerPath({
    method: 'patch',
    path: '/v1/people/{id}',
    summary: 'Change a person',
    tags: ['people'],
    request: { params: idParams, headers: ifMatch, body: json(personPatchSchema) },
    responses: {
      200: { description: 'Changed', ...json(person) },
      ...problemResponses(400, 401, 403, 404, 412),
    },
  });
  r.registerPath({
    method: 'post',
    path: '/v1/admin/republish',
    summary: 'Re-emit every organisation and person as an updated event (rebuild read models; network admin)',
    tags: ['admin'],
    responses: {
      202: { description: 'Queued', ...json(z.object({ organisations: z.number(), people: z.number() })) },
      ...problemResponses(401, 403),
    },
  });
  return buildOpenApiDocument(r, {
    title: 'mathnet registry',
    version: '1.0.0',
    description: 'Organisations, people, accounts and tokens of the network',
  });
}
