import { createEvent, type PersonSnapshot } from '@mathnet/contracts';
import { peopleChangedEvent, personEvent } from '@mathnet/testkit';
import { expect } from 'chai';
import { eq, inArray } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { registryReadModelGroup } from '../src/consumers/registry-read-model';
import { inbox, personView } from '../src/store/schema';
import { type CoursesHarness, startCourses } from './courses-harness';

describe('read models from registry events', function () {
  this.timeout(60_000);
  let h: CoursesHarness;
  before(async () => {
    h = await startCourses('read-model');
  });
  after(async () => {
    await h?.close();
  });

  const studentEvent = (id: string, version: number, grade: number, eventId?: string) =>
    createEvent({
      ...(eventId ? { id: eventId } : {}),
      source: '/mathnet/registry',
      type: version === 1 ? 'mathnet.registry.person.registered' : 'mathnet.registry.person.updated',
      subject: id,
      data: {
        id,
        givenName: 'Мария',
        familyName: 'Соколова',
        middleName: null,
        birthDate: '2009-01-01',
        roles: [{ role: 'student', organisationId: '01890000-0000-7000-8000-000000000001', grade }],
        status: 'active',
        version,
      },
    });

  it('stays correct when events arrive twice and out of order', async () => {
    const id = uuidv7();
    const v1 = studentEvent(id, 1, 10);
    const v2 = studentEvent(id, 2, 11);
    const v3 = studentEvent(id, 3, 11);
    // v3 first, then an old v1, then v2, then duplicates of everything.
    await h.bus.publish([v3]);
    await h.bus.publish([v1, v2, v3, v1]);
    // Handled = recorded in the inbox (in the same transaction as the effect).
    const deadline = Date.now() + 10_000;
    const ids = [v1.id, v2.id, v3.id];
    while ((await h.database.db.select().from(inbox).where(inArray(inbox.eventId, ids))).length < 3) {
      if (Date.now() > deadline) throw new Error('events were not all handled');
      await new Promise((r) => setTimeout(r, 20));
    }
    const [row] = await h.database.db.select().from(personView).where(eq(personView.id, id));
    expect(row?.version).to.equal(3);
    expect(row?.roles[0]?.grade).to.equal(11);
    expect(row?.homeSchoolId).to.equal('01890000-0000-7000-8000-000000000001');
  });
});

describe('read model from registry people batches (mathnet.registry.people.changed)', function () {
  this.timeout(60_000);
  let h: CoursesHarness;
  before(async () => {
    h = await startCourses('read-model-batch');
  });
  after(async () => {
    await h?.close();
  });

  const school = '01890000-0000-7000-8000-000000000001';
  const otherSchool = '01890000-0000-7000-8000-000000000002';
  const snapshot = (id: string, version: number, grade: number, givenName = 'Мария'): PersonSnapshot => ({
    id,
    givenName,
    familyName: 'Соколова',
    middleName: null,
    birthDate: '2009-01-01',
    emailHash: null,
    roles: [{ role: 'student', organisationId: school, grade }],
    status: 'active',
    version,
  });
  const batchEvent = (people: PersonSnapshot[]) => peopleChangedEvent(school, people);
  const singleEvent = personEvent;
  /** Publishes one event (`times` deliveries) and waits until the read model handled it. */
  const deliver = async (event: ReturnType<typeof createEvent>, times = 1) => {
    for (let i = 0; i < times; i++) await h.bus.publish([event]);
    const outcomes = await h.handled(registryReadModelGroup, event.id, times);
    return outcomes.map((o) => o.ok);
  };
  const view = async (ids: string[]) =>
    new Map(
      (await h.database.db.select().from(personView).where(inArray(personView.id, ids))).map((r) => [
        r.id,
        r,
      ]),
    );

  it('applies a whole batch: every person, with roles and home school, one inbox row', async () => {
    const people = Array.from({ length: 300 }, (_, i) => snapshot(uuidv7(), 1, 1 + (i % 11), `Ученик ${i}`));
    people[1] = { ...people[1]!, middleName: null, birthDate: null, roles: [] };
    const event = batchEvent(people);
    expect(await deliver(event)).to.deep.equal([true]);
    const rows = await view(people.map((p) => p.id));
    expect(rows.size).to.equal(300);
    expect(rows.get(people[0]!.id)).to.deep.include({
      givenName: 'Ученик 0',
      familyName: 'Соколова',
      birthDate: '2009-01-01',
      homeSchoolId: school,
      status: 'active',
      version: 1,
    });
    expect(rows.get(people[0]!.id)?.roles).to.deep.equal([
      { role: 'student', organisationId: school, grade: 1 },
    ]);
    expect(rows.get(people[1]!.id)).to.deep.include({ birthDate: null, homeSchoolId: null, roles: [] });
    expect(rows.get(people[299]!.id)?.roles[0]?.grade).to.equal(1 + (299 % 11));
    const inboxRows = await h.database.db.select().from(inbox).where(eq(inbox.eventId, event.id));
    expect(inboxRows).to.have.length(1);
  });

  it('keeps the newest version across batches and single events, duplicated and out of order', async () => {
    const [a, b, c] = [uuidv7(), uuidv7(), uuidv7()];
    const newer = batchEvent([snapshot(a, 2, 11), snapshot(b, 1, 7)]);
    const older = batchEvent([snapshot(a, 1, 10), snapshot(c, 1, 5)]);
    // c listed twice in one batch: the higher version wins, whatever its position.
    const twice = batchEvent([snapshot(c, 3, 6), snapshot(b, 2, 8), snapshot(c, 2, 9)]);
    // a's newest version comes alone (a change through registry's API), before the batches.
    expect(
      await deliver(
        singleEvent({
          ...snapshot(a, 3, 9),
          roles: [{ role: 'student', organisationId: otherSchool, grade: 9 }],
        }),
      ),
    ).to.deep.equal([true]);
    expect(await deliver(newer)).to.deep.equal([true]);
    expect(await deliver(older)).to.deep.equal([true]);
    expect(await deliver(newer, 2)).to.deep.equal([true, true]);
    expect(await deliver(twice)).to.deep.equal([true]);
    // An old single event after the batch does not roll b back either.
    expect(await deliver(singleEvent(snapshot(b, 1, 7)))).to.deep.equal([true]);
    const rows = await view([a, b, c]);
    expect(rows.get(a)).to.deep.include({ version: 3, homeSchoolId: otherSchool });
    expect(rows.get(a)?.roles[0]?.grade).to.equal(9);
    expect(rows.get(b)).to.deep.include({ version: 2 });
    expect(rows.get(b)?.roles[0]?.grade).to.equal(8);
    expect(rows.get(c)).to.deep.include({ version: 3 });
    expect(rows.get(c)?.roles[0]?.grade).to.equal(6);
    const inboxRows = await h.database.db
      .select()
      .from(inbox)
      .where(inArray(inbox.eventId, [newer.id, older.id, twice.id]));
    expect(inboxRows).to.have.length(3);
  });

  it('parks a batch with one person breaking the contract, writing none of it', async () => {
    const good = snapshot(uuidv7(), 1, 10);
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
    await h.bus.publish([event]);
    const [outcome] = await h.handled(registryReadModelGroup, event.id);
    expect(outcome?.ok).to.equal(false);
    expect(String(outcome?.error)).to.match(/breaks its contract/);
    expect((await view([good.id])).size).to.equal(0);
  });
});

describe('dead letters of the read model (admin)', function () {
  this.timeout(60_000);
  let h: CoursesHarness;
  before(async () => {
    h = await startCourses('dead-letters');
  });
  after(async () => {
    await h?.close();
  });

  it('parks an event that breaks its contract, shows it with the error to the network admin, and replays it', async () => {
    const authority = await h.organisation('authority');
    const admin = h.tokenFor('00000000-0000-7000-8000-000000000001', [
      { role: 'network_admin', organisationId: authority },
    ]);
    const coordinator = h.tokenFor('00000000-0000-7000-8000-000000000002', [
      { role: 'school_admin', organisationId: authority },
    ]);
    const broken = createEvent({
      source: '/mathnet/registry',
      type: 'mathnet.registry.person.updated',
      data: { id: 'not-a-uuid' },
    });
    await h.bus.publish([broken]);
    const path = '/v1/admin/dead-letters/courses.registry-read-model';
    let parked = await h.api('GET', path, admin);
    for (let i = 0; i < 200 && parked.body.items.length === 0; i += 1) {
      await new Promise((r) => setTimeout(r, 25));
      parked = await h.api('GET', path, admin);
    }
    expect(parked.body.items).to.have.length(1);
    expect(parked.body.items[0].event.id).to.equal(broken.id);
    expect(parked.body.items[0].error).to.match(/breaks its contract/);
    expect((await h.api('GET', path, coordinator)).status).to.equal(403);
    expect((await h.api('GET', '/v1/admin/dead-letters/nope', admin)).status).to.equal(404);
    const replay = await h.api('POST', `${path}/replay`, admin);
    expect(replay.body.replayed).to.equal(1);
  });
});
