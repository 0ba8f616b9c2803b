import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import {
  type AmqpTap,
  createScratchDatabase,
  type DistributedNetwork,
  passwordToken,
  type ScratchDatabase,
  startDistributed,
  tapExchange,
} from '../src/index';

const exchange = 'mathnet.events';
const registered = 'mathnet.registry.organisation.registered';

describe('distributed mode: registry and gateway as separate processes', () => {
  const databaseServer = process.env.TEST_DATABASE_URL;
  const amqpUrl = process.env.TEST_AMQP_URL;
  const redisUrl = process.env.TEST_REDIS_URL;
  const adminEmail = 'e2e-admin@mathnet.local';
  const adminPassword = `e2e-${randomBytes(12).toString('hex')}`;
  let database: ScratchDatabase | undefined;
  let tap: AmqpTap | undefined;
  let network: DistributedNetwork | undefined;
  let failed = false;

  before(async function () {
    if (!databaseServer || !amqpUrl || !redisUrl) {
      // this.skip() takes no reason, so it is printed here.
      process.stderr.write(
        'skipped: the distributed e2e needs real servers; set TEST_DATABASE_URL, TEST_AMQP_URL and TEST_REDIS_URL\n',
      );
      this.skip();
    }
    database = await createScratchDatabase(databaseServer, 'e2e_registry');
    // Bound before anything starts: every event registry publishes from now on reaches this queue.
    tap = await tapExchange(amqpUrl, { exchange, pattern: 'mathnet.registry.#' });
    network = await startDistributed({
      databaseUrl: database.url,
      amqpUrl,
      redisUrl,
      adminEmail,
      adminPassword,
    });
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') failed = true;
  });

  after(async () => {
    if (failed && network) process.stderr.write(`\nservice output:\n${network.output()}\n`);
    await network?.stop();
    await tap?.close();
    await database?.drop();
  });

  it("reports the registry upstream ok on the gateway's /health/ready", async () => {
    const res = await fetch(`${network!.gateway.url}/health/ready`);
    const body = (await res.json()) as { status: string; checks: Record<string, string> };
    expect(res.status).to.equal(200);
    expect(body.status).to.equal('ok');
    expect(body.checks.registry).to.equal('ok');
    expect(body.checks['rate-limit-store']).to.equal('ok');
  });

  it('answers 401 problem+json without a token', async () => {
    const res = await fetch(`${network!.gateway.url}/api/registry/v1/organisations`);
    expect(res.status).to.equal(401);
    expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(res.headers.get('www-authenticate')).to.match(/^Bearer/);
  });

  it('registers an organisation through the gateway and publishes the CloudEvent on mathnet.events', async () => {
    const gateway = network!.gateway.url;
    const token = await passwordToken(`${gateway}/api/auth/token`, adminEmail, adminPassword);
    const res = await fetch(`${gateway}/api/registry/v1/organisations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Школа №1', kind: 'school' }),
    });
    const created = (await res.json()) as { id: string; name: string; kind: string };
    expect(res.status, JSON.stringify(created)).to.equal(201);
    expect(created.name).to.equal('Школа №1');
    expect(created.kind).to.equal('school');

    const message = await tap!.waitFor((m) => m.routingKey === registered && m.body.subject === created.id);
    expect(message.exchange).to.equal(exchange);
    expect(message.contentType).to.equal('application/cloudevents+json');
    const event = message.body as {
      specversion: string;
      type: string;
      source: string;
      subject: string;
      id: string;
      data: { id: string; name: string; kind: string; status: string; version: number };
    };
    expect(event.specversion).to.equal('1.0');
    expect(event.type).to.equal(registered);
    expect(event.source).to.equal('/mathnet/registry');
    expect(event.subject).to.equal(created.id);
    expect(event.id).to.be.a('string').and.not.equal('');
    expect(event.data).to.include({
      id: created.id,
      name: 'Школа №1',
      kind: 'school',
      status: 'active',
      version: 1,
    });
  });

  it('stops both processes cleanly on SIGTERM', async () => {
    const exits = await network!.stop();
    expect(exits).to.deep.equal({ gateway: 0, registry: 0 });
  });
});
