import { ConfigError } from '@mathnet/kit';
import { expect } from 'chai';
import { loadGatewayConfig, upstreamsOf } from './config';

describe('gateway config', () => {
  it('has defaults for everything', () => {
    const config = loadGatewayConfig({});
    expect(config).to.deep.equal({
      PORT: 8080,
      REGISTRY_URL: 'http://127.0.0.1:8081',
      SERVICE_URLS: {},
      REDIS_URL: 'memory://',
      CORS_ORIGINS: [],
      RATE_LIMIT_PER_MINUTE: 600,
      TOKEN_RATE_LIMIT_PER_MINUTE: 30,
      LOGIN_FAILURES_PER_15_MIN: 5,
      LOG_LEVEL: 'info',
    });
    expect(upstreamsOf(config)).to.deep.equal({ registry: 'http://127.0.0.1:8081' });
  });

  it('reads service URLs and origins as lists', () => {
    const config = loadGatewayConfig({
      SERVICE_URLS: 'courses=http://courses:8080, events=https://events.internal/base',
      CORS_ORIGINS: 'https://a.example,https://b.example',
      REDIS_URL: 'redis://redis:6379',
    });
    expect(upstreamsOf(config)).to.deep.equal({
      courses: 'http://courses:8080',
      events: 'https://events.internal/base',
      registry: 'http://127.0.0.1:8081',
    });
    expect(config.CORS_ORIGINS).to.deep.equal(['https://a.example', 'https://b.example']);
  });

  it('names each bad variable, what was expected and what arrived', () => {
    const load = () =>
      loadGatewayConfig({
        SERVICE_URLS: 'docs=http://x,courses=ftp://y',
        REDIS_URL: 'mongodb://z',
        PORT: 'eighty',
      });
    expect(load).to.throw(ConfigError);
    try {
      load();
    } catch (error) {
      const message = (error as ConfigError).message;
      expect(message).to.contain('SERVICE_URLS: expected name=url pairs');
      expect(message).to.contain('expected an http(s) URL for "courses"');
      expect(message).to.contain('REDIS_URL: expected a URL starting with redis://');
      expect(message).to.contain('PORT:');
    }
  });
});
