import { expect } from 'chai';
import { bodyLimitFor } from './body-limits';
import { apiTarget, checkedPath } from './proxy-path';

describe('proxy paths', () => {
  it('splits /api/<service>/<rest>?<query> as express mounts /api/:service', () => {
    expect(apiTarget('/api/courses/v1/offerings?limit=5')).to.deep.equal({
      service: 'courses',
      pathAndQuery: '/v1/offerings?limit=5',
    });
    expect(apiTarget('/api/lms-bridge')).to.deep.equal({ service: 'lms-bridge', pathAndQuery: '/' });
    expect(apiTarget('/api/courses?q=1')).to.deep.equal({ service: 'courses', pathAndQuery: '/?q=1' });
    expect(apiTarget('/api/courses/')).to.deep.equal({ service: 'courses', pathAndQuery: '/' });
  });

  it('leaves everything else to express: own routes, odd spellings, other targets', () => {
    for (const url of [
      '/api/auth/token',
      '/api/docs/openapi.json',
      '/api/',
      '/api',
      '/API/courses/v1/x',
      '/api/Courses/v1/x',
      '/api/cour%73es/v1/x',
      '/api/1courses/x',
      '/health/ready',
      '/metrics',
      'http://gateway/api/courses/v1/x',
    ]) {
      expect(apiTarget(url), url).to.equal(undefined);
    }
  });

  it('refuses dot segments, encoded or not', () => {
    expect(checkedPath('/v1/x/y?a=../b')).to.equal('/v1/x/y?a=../b');
    for (const path of ['/v1/../x', '/%2e%2E/v1', '/v1/.', '/./v1']) {
      expect(() => checkedPath(path), path).to.throw(/must not contain/);
    }
  });

  it('gives the lms-bridge import route the import limit and every other route the small one', () => {
    const limits = { maxBodyBytes: 1, maxImportBytes: 256 };
    expect(bodyLimitFor('POST', 'lms-bridge', '/v1/connections/c-1/imports', limits)).to.equal(256);
    expect(bodyLimitFor('POST', 'lms-bridge', '/v1/connections/c-1/imports?dryRun=1', limits)).to.equal(256);
    expect(bodyLimitFor('PUT', 'lms-bridge', '/v1/connections/c-1/imports', limits)).to.equal(1);
    expect(bodyLimitFor('POST', 'lms-bridge', '/v1/connections/c-1/imports/x', limits)).to.equal(1);
    expect(bodyLimitFor('POST', 'lms-bridge', '/v1/connections/a/b/imports', limits)).to.equal(1);
    expect(bodyLimitFor('POST', 'courses', '/v1/connections/c-1/imports', limits)).to.equal(1);
  });
});
