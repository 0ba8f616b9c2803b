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
      MAX_IMPORT_MB: 256,
      TRUST_PROXY: 'loopback',
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

  it('reads TRUST_PROXY as express takes it: booleans, hop counts, address lists', () => {
    const trust = (value: string) => loadGatewayConfig({ TRUST_PROXY: value }).TRUST_PROXY;
    expect(trust('true')).to.equal(true);
    expect(trust('false')).to.equal(false);
    expect(trust('2')).to.equal(2);
    expect(trust('loopback')).to.equal('loopback');
    expect(trust(' loopback ,10.0.0.0/8, 192.168.1.7,fd00::/8 , 172.16.0.0/255.240.0.0')).to.equal(
      'loopback, 10.0.0.0/8, 192.168.1.7, fd00::/8, 172.16.0.0/255.240.0.0',
    );
    for (const bad of ['yes', '10.0.0.0/33', 'proxy.example', 'loopback,10.1', ',']) {
      expect(() => trust(bad), bad).to.throw(ConfigError, /TRUST_PROXY: expected true, false, a hop count/);
    }
    try {
      trust('loopback,10.0.0.0/40');
    } catch (error) {
      expect((error as ConfigError).message).to.contain('not understood: "10.0.0.0/40"');
    }
  });

  it('reads MAX_IMPORT_MB within 1..2048', () => {
    expect(loadGatewayConfig({ MAX_IMPORT_MB: '512' }).MAX_IMPORT_MB).to.equal(512);
    expect(() => loadGatewayConfig({ MAX_IMPORT_MB: '0' })).to.throw(ConfigError, /MAX_IMPORT_MB/);
    expect(() => loadGatewayConfig({ MAX_IMPORT_MB: '4096' })).to.throw(ConfigError, /MAX_IMPORT_MB/);
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
