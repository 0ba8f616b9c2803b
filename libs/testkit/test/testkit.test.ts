import { expect } from 'chai';
import pg from 'pg';
import { createTestBus, createTestDatabase, createTestRedis } from '../src/index';

describe('testkit', function () {
  this.timeout(30_000);

  it('gives each test file its own database (a real one when TEST_DATABASE_URL is set)', async () => {
    const a = await createTestDatabase('testkit a');
    const b = await createTestDatabase('testkit b');
    try {
      if (process.env.TEST_DATABASE_URL) {
        expect(a.url).to.match(/^postgres:\/\/.*\/t_testkit_a_[a-z0-9]+$/);
        expect(a.url).to.not.equal(b.url);
        const client = new pg.Client({ connectionString: a.url });
        await client.connect();
        const { rows } = await client.query<{ db: string }>('select current_database() as db');
        await client.end();
        expect(a.url.endsWith(`/${rows[0]!.db}`)).to.equal(true);
      } else {
        expect(a.url).to.equal('pglite://memory');
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('gives each test file its own exchange, queue prefix and key prefix', async () => {
    const [x, y] = [await createTestBus('same'), await createTestBus('same')];
    expect(x.exchange).to.not.equal(y.exchange);
    expect(x.queuePrefix).to.not.equal(y.queuePrefix);
    expect(x.url).to.equal(process.env.TEST_AMQP_URL ?? 'memory://');
    const [r, s] = [await createTestRedis('same'), await createTestRedis('same')];
    expect(r.keyPrefix).to.not.equal(s.keyPrefix);
    expect(r.url).to.equal(process.env.TEST_REDIS_URL ?? 'memory://');
  });
});
