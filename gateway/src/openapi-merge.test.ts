import { expect } from 'chai';
import { gatewayPath, mergeOpenApi } from './openapi-merge';

const info = { title: 't', version: '1' };

describe('gatewayPath', () => {
  it('serves service paths under /api/<service>, registry auth under /api/auth, the JWKS where it is', () => {
    expect(gatewayPath('courses', '/v1/offerings/{id}')).to.equal('/api/courses/v1/offerings/{id}');
    expect(gatewayPath('registry', '/v1/people')).to.equal('/api/registry/v1/people');
    expect(gatewayPath('registry', '/auth/token')).to.equal('/api/auth/token');
    expect(gatewayPath('registry', '/.well-known/jwks.json')).to.equal('/.well-known/jwks.json');
    expect(gatewayPath('courses', '/auth/token')).to.equal('/api/courses/auth/token');
  });
});

describe('mergeOpenApi', () => {
  it('renames colliding security schemes and rewrites the requirements that name them', () => {
    const doc = (scheme: object) => ({
      openapi: '3.1.0',
      security: [{ bearer: [] }],
      paths: { '/v1/x': { get: { responses: {} } } },
      components: { securitySchemes: { bearer: scheme } },
    });
    const merged = mergeOpenApi(
      [
        { service: 'registry', document: doc({ type: 'http', scheme: 'bearer' }) },
        { service: 'lms', document: doc({ type: 'apiKey', in: 'header', name: 'x-key' }) },
      ],
      [],
      info,
    );
    const paths = merged.paths as Record<string, { get: { security: unknown } }>;
    expect(paths['/api/registry/v1/x']!.get.security).to.deep.equal([{ bearer: [] }]);
    expect(paths['/api/lms/v1/x']!.get.security).to.deep.equal([{ lms_bearer: [] }]);
    expect(Object.keys((merged.components as { securitySchemes: object }).securitySchemes)).to.deep.equal([
      'bearer',
      'lms_bearer',
    ]);
  });

  it('rewrites references inside renamed components and keeps path-level parameters', () => {
    const doc = (field: string) => ({
      openapi: '3.1.0',
      paths: {
        '/v1/a/{id}': {
          parameters: [{ name: 'id', in: 'path', required: true }],
          get: {
            responses: {
              200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/List' } } } },
            },
          },
        },
      },
      components: {
        schemas: {
          Item: { type: 'object', properties: { [field]: { type: 'string' } } },
          List: { type: 'array', items: { $ref: '#/components/schemas/Item' } },
        },
      },
    });
    const merged = mergeOpenApi(
      [
        { service: 'one', document: doc('a') },
        { service: 'two', document: doc('b') },
      ],
      ['three'],
      info,
    );
    const schemas = (merged.components as { schemas: Record<string, unknown> }).schemas;
    // List reads the same in both, but refers to an Item that differs: it is renamed too.
    expect(Object.keys(schemas).sort()).to.deep.equal(['Item', 'List', 'two_Item', 'two_List']);
    expect(schemas.List).to.deep.equal({ type: 'array', items: { $ref: '#/components/schemas/Item' } });
    expect(schemas.two_List).to.deep.equal({
      type: 'array',
      items: { $ref: '#/components/schemas/two_Item' },
    });
    expect(JSON.stringify(merged.paths)).to.contain('#/components/schemas/two_List');
    const paths = merged.paths as Record<string, { parameters: unknown[] }>;
    expect(paths['/api/two/v1/a/{id}']!.parameters).to.have.length(1);
    expect(merged['x-unavailable']).to.deep.equal(['three']);
  });
});
