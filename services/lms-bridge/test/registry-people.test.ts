import {
  createEventBus,
  type EventBus,
  type Handled,
  observeHandling,
  type Subscription,
} from '@mathnet/bus';
import { type CloudEvent, createEvent, type PersonSnapshot } from '@mathnet/contracts';
import { createDatabase, type DatabaseHandle, runMigrations } from '@mathnet/db';
import { createLogger } from '@mathnet/kit';
import {
  createTestBus,
  createTestDatabase,
  peopleChangedEvent,
  personEvent,
  type TestDatabase,
} from '@mathnet/testkit';
import { expect } from 'chai';
import { eq, inArray } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { registryPeopleGroup, subscribeRegistryPeople } from '../src/consumers/registry-people';
import { bridgeMigrations } from '../src/service';
import { inbox, personView } from '../src/store/schema';

describe('lms-bridge person view from registry (person.* and people.changed)', function () {
  this.timeout(60_000);
  let testDb: TestDatabase;
  let database: DatabaseHandle;
  let bus: EventBus;
  let handled: Handled;
  let subscription: Subscription;
  const school = uuidv7();
  const otherSchool = uuidv7();

  before(async () => {
    const logger = createLogger('test-registry-people', process.env.LOG_LEVEL ?? 'silent');
    testDb = await createTestDatabase('registry-people');
    const testBus = await createTestBus('registry-people');
    database = await createDatabase(testDb.url, { logger });
    await runMigrations(database, { schema: 'lms_bridge', migrationsFolder: bridgeMigrations });
    const raw = createEventBus(testBus.url, {
      logger,
      exchange: testBus.exchange,
      queuePrefix: testBus.queuePrefix,
      queueExpiresMs: testBus.queueExpiresMs,
    });
    ({ bus, handled } = observeHandling(raw));
    await raw.start();
    subscription = await subscribeRegistryPeople(bus, database.db);
  });
  after(async () => {
    await subscription?.close();
    await bus?.close();
    await database?.close();
    await testDb?.close();
  });

  const snapshot = (
    id: string,
    version: number,
    givenName = 'Анна',
    organisationIds = [school],
  ): PersonSnapshot => ({
    id,
    givenName,
    familyName: 'Смирнова',
    middleName: null,
    birthDate: '2009-03-14',
    emailHash: `${'a'.repeat(63)}${version % 10}`,
    roles: organisationIds.map((organisationId) => ({ role: 'student', organisationId, grade: 10 })),
    status: 'active',
    version,
  });
  const batchEvent = (people: PersonSnapshot[]) => peopleChangedEvent(school, people);
  const singleEvent = personEvent;
  const deliver = async (event: CloudEvent, times = 1) => {
    for (let i = 0; i < times; i++) await bus.publish([event]);
    // true where the person view's handler resolved
    return (await handled(registryPeopleGroup, event.id, times)).map((outcome) => outcome.ok);
  };
  const view = async (ids: string[]) =>
    new Map(
      (await database.db.select().from(personView).where(inArray(personView.id, ids))).map((r) => [r.id, r]),
    );

  it('applies a whole batch: names, birth date, e-mail hash and schools of every person, one inbox row', async () => {
    const people = Array.from({ length: 250 }, (_, i) => snapshot(uuidv7(), 1, `Ученик ${i}`));
    people[1] = { ...people[1]!, birthDate: null, emailHash: null, roles: [] };
    people[2] = snapshot(people[2]!.id, 1, 'Двое', [school, otherSchool, school]);
    const event = batchEvent(people);
    expect(await deliver(event)).to.deep.equal([true]);
    const rows = await view(people.map((p) => p.id));
    expect(rows.size).to.equal(250);
    expect(rows.get(people[0]!.id)).to.deep.equal({
      id: people[0]!.id,
      givenName: 'Ученик 0',
      familyName: 'Смирнова',
      birthDate: '2009-03-14',
      emailHash: people[0]!.emailHash,
      organisationIds: [school],
      version: 1,
    });
    expect(rows.get(people[1]!.id)).to.deep.include({
      birthDate: null,
      emailHash: null,
      organisationIds: [],
    });
    expect(rows.get(people[2]!.id)?.organisationIds).to.deep.equal([school, otherSchool]);
    expect(await database.db.select().from(inbox).where(eq(inbox.eventId, event.id))).to.have.length(1);
  });

  it('keeps the newest version across batches and single events, duplicated and out of order', async () => {
    const [a, b, c] = [uuidv7(), uuidv7(), uuidv7()];
    const newer = batchEvent([snapshot(a, 2, 'А2'), snapshot(b, 1, 'Б1')]);
    const older = batchEvent([snapshot(a, 1, 'А1'), snapshot(c, 1, 'В1')]);
    const twice = batchEvent([
      snapshot(c, 3, 'В3', [otherSchool]),
      snapshot(b, 2, 'Б2'),
      snapshot(c, 2, 'В2'),
    ]);
    expect(await deliver(singleEvent(snapshot(a, 3, 'А3', [otherSchool])))).to.deep.equal([true]);
    expect(await deliver(newer)).to.deep.equal([true]);
    expect(await deliver(older)).to.deep.equal([true]);
    expect(await deliver(newer, 2)).to.deep.equal([true, true]);
    expect(await deliver(twice)).to.deep.equal([true]);
    expect(await deliver(singleEvent(snapshot(b, 1, 'Б1')))).to.deep.equal([true]);
    const rows = await view([a, b, c]);
    expect(rows.get(a)).to.deep.include({ givenName: 'А3', version: 3, organisationIds: [otherSchool] });
    expect(rows.get(b)).to.deep.include({ givenName: 'Б2', version: 2 });
    expect(rows.get(c)).to.deep.include({ givenName: 'В3', version: 3, organisationIds: [otherSchool] });
    const inboxRows = await database.db
      .select()
      .from(inbox)
      .where(inArray(inbox.eventId, [newer.id, older.id, twice.id]));
    expect(inboxRows).to.have.length(3);
  });

  it('parks a batch with one person breaking the contract, writing none of it', async () => {
    const good = snapshot(uuidv7(), 1);
    const event = createEvent({
      source: '/mathnet/registry',
      type: 'mathnet.registry.people.changed',
      data: {
        people: [
          { change: 'registered', person: good },
          { change: 'registered', person: { id: 'nope' } },
        ],
      },
    });
    expect(await deliver(event)).to.deep.equal([false]);
    expect((await view([good.id])).size).to.equal(0);
    const deadline = Date.now() + 5000;
    let dead = await bus.deadLetters(registryPeopleGroup);
    while (!dead.some((d) => d.event.id === event.id) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      dead = await bus.deadLetters(registryPeopleGroup);
    }
    expect(dead.find((d) => d.event.id === event.id)?.error).to.match(/breaks its contract/);
  });
});
