import { createEvent } from '@mathnet/contracts';
import { expect } from 'chai';
import { eq, inArray } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
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

  const personEvent = (id: string, version: number, grade: number, eventId?: string) =>
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
    const v1 = personEvent(id, 1, 10);
    const v2 = personEvent(id, 2, 11);
    const v3 = personEvent(id, 3, 11);
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
