import {
  createEventBus,
  type EventBus,
  type EventRecorder,
  type Handled,
  observeHandling,
  recordEvents,
} from '@mathnet/bus';
import {
  type CloudEvent,
  createEvent,
  eventDataSchemas,
  type LmsPersonFact,
  type PeopleChanged,
} from '@mathnet/contracts';
import { createDatabase, type DatabaseHandle } from '@mathnet/db';
import { createLogger, listen, type RunningServer } from '@mathnet/kit';
import { createTestBus, createTestDatabase, type TestDatabase } from '@mathnet/testkit';
import { expect } from 'chai';
import { and, eq, inArray, or, sql } from 'drizzle-orm';
import { v4 as uuidv4 } from 'uuid';
import { lmsPeopleGroup, peopleChangedType } from '../src/consumers/lms-people';
import { createRegistryService, type RegistryService } from '../src/service';
import { emailHashOf } from '../src/store/person-store';
import { outbox } from '../src/store/schema';
import { adminEmail, adminPassword, client } from './registry-harness';

describe('registry: people from an LMS (mathnet.lms.people.synced)', function () {
  this.timeout(60_000);
  let testDb: TestDatabase;
  let database: DatabaseHandle;
  let bus: EventBus;
  let handled: Handled;
  let events: EventRecorder;
  let registry: RegistryService;
  let server: RunningServer;
  let api: ReturnType<typeof client>;
  let admin: string;
  let schoolA: string;
  let schoolB: string;
  const connectionId = uuidv4();

  before(async () => {
    const logger = createLogger('test-lms-people', process.env.LOG_LEVEL ?? 'silent');
    testDb = await createTestDatabase('lms-people');
    const testBus = await createTestBus('lms-people');
    database = await createDatabase(testDb.url, { logger });
    const observed = observeHandling(
      createEventBus(testBus.url, {
        logger,
        exchange: testBus.exchange,
        queuePrefix: testBus.queuePrefix,
        queueExpiresMs: testBus.queueExpiresMs,
      }),
    );
    bus = observed.bus;
    handled = observed.handled;
    await bus.start();
    events = await recordEvents(bus, { group: 'test.registry-events', patterns: ['mathnet.registry.#'] });
    registry = createRegistryService({
      database,
      bus,
      logger,
      processMetrics: false,
      config: {
        MATHNET_ADMIN_EMAIL: adminEmail,
        MATHNET_ADMIN_PASSWORD: adminPassword,
        MATHNET_AUTHORITY_NAME: 'Управление образования (тест)',
        ACCESS_TOKEN_TTL_SECONDS: 900,
        REFRESH_TOKEN_TTL_DAYS: 30,
      },
    });
    await registry.start();
    server = await listen(registry.app, 0, '127.0.0.1');
    api = client(server.url);
    admin = await api.login(adminEmail, adminPassword);
    const school = async (name: string) =>
      (await api.call('POST', '/v1/organisations', { token: admin, body: { name, kind: 'school' } })).body
        .id as string;
    schoolA = await school('Школа с LMS');
    schoolB = await school('Другая школа');
  });
  after(async () => {
    await server?.close();
    await events?.close();
    await registry?.close();
    await bus?.close();
    await database?.close();
    await testDb?.close();
  });

  const batchEvent = (people: LmsPersonFact[], organisationId = schoolA): CloudEvent =>
    createEvent({
      source: '/mathnet/lms-bridge',
      type: 'mathnet.lms.people.synced',
      data: { runId: uuidv4(), connectionId, organisationId, people },
    });
  /** Publishes a batch (as one event, delivered `times` times) and waits until registry handled it. */
  const sync = async (people: LmsPersonFact[], times = 1) => {
    const event = batchEvent(people);
    for (let i = 0; i < times; i++) await bus.publish([event]);
    const outcomes = await handled(lmsPeopleGroup, event.id, times);
    expect(outcomes.map((o) => o.ok)).to.deep.equal(new Array(times).fill(true));
    return event;
  };
  const fact = (overrides: Partial<LmsPersonFact> = {}): LmsPersonFact => ({
    id: uuidv4(),
    givenName: 'Анна',
    familyName: 'Смирнова',
    middleName: 'Игоревна',
    birthDate: '2009-03-14',
    email: 'anna@school.example',
    roles: [{ role: 'student', grade: 10, classLetter: 'А', studentId: null }],
    active: true,
    ...overrides,
  });
  /**
   * What registry's outbox announced (or will publish) about one person, in order: the change of
   * each `people.changed` batch event listing them, and `single:<verb>` for a per-person event
   * (an LMS batch must emit none of those).
   */
  const emitted = async (id: string) => {
    const rows = await database.db
      .select({ type: outbox.type, subject: outbox.subject, data: outbox.data })
      .from(outbox)
      .where(or(eq(outbox.type, peopleChangedType), eq(outbox.subject, id)))
      .orderBy(outbox.seq);
    return rows.flatMap((r) =>
      r.type === peopleChangedType
        ? (r.data as PeopleChanged).people.filter((p) => p.person.id === id).map((p) => p.change)
        : [`single:${r.type.split('.').pop()}`],
    );
  };
  /** The batch events registry's outbox holds for one LMS batch (by its run id). */
  const batchEventsOf = async (event: CloudEvent) => {
    const runId = (event.data as { runId: string }).runId;
    const rows = await database.db
      .select({ type: outbox.type, subject: outbox.subject, data: outbox.data })
      .from(outbox)
      .where(and(eq(outbox.type, peopleChangedType), sql`${outbox.data}->'source'->>'runId' = ${runId}`))
      .orderBy(outbox.seq);
    return rows.map((r) => ({ subject: r.subject, data: r.data as PeopleChanged }));
  };
  /** Waits until the batch event listing this person in this version is published on the bus. */
  const published = (id: string, version: number) =>
    events.waitFor(
      (e) =>
        e.type === peopleChangedType &&
        (e.data as PeopleChanged).people.some((p) => p.person.id === id && p.person.version === version),
    );
  const changeOf = (e: CloudEvent, id: string) =>
    (e.data as PeopleChanged).people.find((p) => p.person.id === id);
  const person = async (id: string) => {
    const res = await api.call('GET', `/v1/people/${id}`, { token: admin });
    expect(res.status).to.equal(200);
    return res.body;
  };

  it('registers unknown people with their roles at the school and their e-mail, emitting registered', async () => {
    const student = fact();
    const teacher = fact({
      givenName: 'Олег',
      familyName: 'Кузнецов',
      birthDate: null,
      email: 'not an e-mail',
      roles: [{ role: 'teacher', grade: 7, classLetter: 'Б', studentId: null }],
    });
    const parent = fact({
      givenName: 'Игорь',
      familyName: 'Смирнов',
      email: null,
      roles: [{ role: 'parent', grade: null, classLetter: null, studentId: student.id }],
    });
    await sync([student, teacher, parent]);
    const anna = await person(student.id);
    expect(anna).to.deep.include({
      givenName: 'Анна',
      familyName: 'Смирнова',
      middleName: 'Игоревна',
      birthDate: '2009-03-14',
      contacts: { email: 'anna@school.example' },
      account: null,
      status: 'active',
      version: 1,
    });
    expect(anna.roles).to.deep.equal([
      { role: 'student', organisationId: schoolA, grade: 10, classLetter: 'А', studentId: null },
    ]);
    const oleg = await person(teacher.id);
    // A teacher has no grade or class; an invalid e-mail is not kept.
    expect(oleg.roles).to.deep.equal([
      { role: 'teacher', organisationId: schoolA, grade: null, classLetter: null, studentId: null },
    ]);
    expect(oleg.contacts).to.equal(null);
    expect((await person(parent.id)).roles[0]).to.include({ role: 'parent', studentId: student.id });
    const registered = changeOf(await published(student.id, 1), student.id);
    expect(registered?.change).to.equal('registered');
    expect(registered?.person).to.include({ id: student.id, version: 1, status: 'active' });
    expect(registered?.person.emailHash).to.match(/^[0-9a-f]{64}$/);
    expect(await emitted(student.id)).to.deep.equal(['registered']);
  });

  it('announces a batch as one people.changed event: each registered or updated person once, with the snapshot the API shows', async () => {
    const unchanged = fact({ givenName: 'Вера' });
    await sync([unchanged]);
    const viaApi = await api.call('POST', '/v1/people', {
      token: admin,
      body: {
        givenName: 'Павел',
        familyName: 'Лебедев',
        roles: [{ role: 'teacher', organisationId: schoolB }],
        account: { email: 'pavel@mathnet.example', password: 'password-123' },
      },
    });
    expect(viaApi.status).to.equal(201);
    const known = fact({
      id: viaApi.body.id,
      givenName: 'Павел',
      familyName: 'Лебедев',
      roles: [{ role: 'teacher', grade: null, classLetter: null, studentId: null }],
    });
    const fresh = fact({ givenName: 'Глеб', email: 'gleb@school.example' });
    const singlesBefore = await emitted(known.id);
    const batch = await sync([unchanged, fresh, known, fresh]);
    const [only, ...more] = await batchEventsOf(batch);
    expect(more, 'one event per applied batch').to.have.length(0);
    expect(only!.subject).to.equal(schoolA);
    expect(only!.data.source).to.deep.equal({ runId: (batch.data as { runId: string }).runId, connectionId });
    expect(eventDataSchemas[peopleChangedType].safeParse(only!.data).success).to.equal(true);
    // The snapshot a per-person event would have carried: the API's person minus contacts, plus the e-mail hash.
    const snapshotOf = async (id: string) => {
      const p = await person(id);
      return {
        id,
        givenName: p.givenName,
        familyName: p.familyName,
        middleName: p.middleName,
        birthDate: p.birthDate,
        emailHash: emailHashOf(p.account?.email ?? p.contacts?.email),
        roles: p.roles,
        status: p.status,
        version: p.version,
      };
    };
    expect(only!.data.people).to.deep.equal([
      { change: 'registered', person: await snapshotOf(fresh.id) },
      { change: 'updated', person: await snapshotOf(known.id) },
    ]);
    expect(only!.data.people[1]!.person.version).to.equal(2);
    expect(only!.data.people[1]!.person.roles.map((r) => r.organisationId)).to.deep.equal([schoolB, schoolA]);
    // Nothing per person for the batch's people; the bus carries the batch event itself.
    expect(await emitted(known.id)).to.deep.equal([...singlesBefore, 'updated']);
    expect(await emitted(unchanged.id)).to.deep.equal(['registered']);
    const onBus = await published(fresh.id, 1);
    expect(onBus.data).to.deep.equal(only!.data);
    expect(
      events.events.filter((e) => e.type.startsWith('mathnet.registry.person.') && e.subject === fresh.id),
    ).to.deep.equal([]);
  });

  it('changes nothing and emits nothing for a repeated identical batch', async () => {
    const people = [fact(), fact({ givenName: 'Пётр', email: null, roles: [] })];
    await sync(people);
    await sync(people);
    expect((await person(people[0]!.id)).version).to.equal(1);
    // A person with no role is kept (the id the bridge assigned stays valid) but archived.
    expect(await person(people[1]!.id)).to.include({ status: 'archived', version: 1 });
    expect(await emitted(people[0]!.id)).to.deep.equal(['registered']);
    expect(await emitted(people[1]!.id)).to.deep.equal(['registered']);
  });

  it('has no second effect when the same batch is delivered twice', async () => {
    const anna = fact();
    await sync([anna]);
    await sync([{ ...anna, familyName: 'Смирнова-Петрова' }], 2);
    expect(await person(anna.id)).to.include({ familyName: 'Смирнова-Петрова', version: 2 });
    expect(await emitted(anna.id)).to.deep.equal(['registered', 'updated']);
  });

  it('updates a known person, replacing only the roles at the school and keeping other schools, account and e-mail', async () => {
    const created = await api.call('POST', '/v1/people', {
      token: admin,
      body: {
        givenName: 'Мария',
        familyName: 'Иванова',
        contacts: { email: 'maria@home.example' },
        roles: [
          { role: 'teacher', organisationId: schoolB },
          { role: 'student', organisationId: schoolA, grade: 9 },
          { role: 'partner', organisationId: schoolA },
          { role: 'school_admin', organisationId: schoolA },
        ],
        account: { email: 'maria@mathnet.example', password: 'password-123' },
      },
    });
    expect(created.status).to.equal(201);
    const id = created.body.id as string;
    await sync([
      fact({
        id,
        givenName: 'Мария',
        familyName: 'Иванова',
        middleName: null,
        email: 'maria@lms.example',
        roles: [{ role: 'student', grade: 10, classLetter: 'В', studentId: null }],
      }),
    ]);
    const maria = await person(id);
    expect(maria).to.deep.include({
      middleName: null,
      birthDate: '2009-03-14',
      contacts: { email: 'maria@home.example' },
      account: { email: 'maria@mathnet.example' },
      status: 'active',
      version: 2,
    });
    expect(maria.roles).to.deep.equal([
      { role: 'teacher', organisationId: schoolB, grade: null, classLetter: null, studentId: null },
      { role: 'partner', organisationId: schoolA, grade: null, classLetter: null, studentId: null },
      { role: 'school_admin', organisationId: schoolA, grade: null, classLetter: null, studentId: null },
      { role: 'student', organisationId: schoolA, grade: 10, classLetter: 'В', studentId: null },
    ]);
    const updated = changeOf(await published(id, 2), id);
    expect(updated?.change).to.equal('updated');
    // The account's e-mail (not the LMS one) is what the snapshot's hash is of.
    expect(updated?.person.emailHash).to.equal(emailHashOf('maria@mathnet.example'));
    expect(await emitted(id)).to.deep.equal(['single:registered', 'updated']);
    expect(await api.login('maria@mathnet.example', 'password-123')).to.be.a('string');
  });

  it('deactivation removes the school roles, archives a person left without roles, and reactivates them', async () => {
    const onlyHere = fact();
    const alsoElsewhere = await api.call('POST', '/v1/people', {
      token: admin,
      body: {
        givenName: 'Ирина',
        familyName: 'Орлова',
        roles: [
          { role: 'teacher', organisationId: schoolB },
          { role: 'teacher', organisationId: schoolA },
        ],
      },
    });
    const irina = fact({
      id: alsoElsewhere.body.id,
      givenName: 'Ирина',
      familyName: 'Орлова',
      roles: [{ role: 'teacher', grade: null, classLetter: null, studentId: null }],
    });
    await sync([onlyHere, irina]);
    expect((await person(irina.id)).version).to.equal(2); // birth date, middle name and e-mail learnt
    await sync([
      { ...onlyHere, active: false },
      { ...irina, active: false },
    ]);
    const gone = await person(onlyHere.id);
    expect(gone).to.deep.include({ status: 'archived', roles: [], version: 2, givenName: 'Анна' });
    const stays = await person(irina.id);
    expect(stays).to.deep.include({ status: 'active', version: 3 });
    expect(stays.roles).to.deep.equal([
      { role: 'teacher', organisationId: schoolB, grade: null, classLetter: null, studentId: null },
    ]);
    await sync([{ ...onlyHere, active: false }]);
    expect((await person(onlyHere.id)).version).to.equal(2);
    await sync([onlyHere]);
    expect(await person(onlyHere.id)).to.deep.include({ status: 'active', version: 3 });
    expect(await emitted(onlyHere.id)).to.deep.equal(['registered', 'updated', 'updated']);
    const archived = changeOf(await published(onlyHere.id, 2), onlyHere.id);
    expect(archived).to.deep.include({ change: 'updated' });
    expect(archived?.person).to.deep.include({ status: 'archived', roles: [] });
  });

  it('parks a batch for an organisation registry does not know in the dead letters, with no effect', async () => {
    const stray = fact();
    const event = batchEvent([stray], uuidv4());
    await bus.publish([event]);
    const [outcome] = await handled(lmsPeopleGroup, event.id);
    expect(outcome!.ok).to.equal(false);
    expect(String(outcome!.error)).to.match(/is not in the registry/);
    const res = await api.call('GET', `/v1/people/${stray.id}`, { token: admin });
    expect(res.status).to.equal(404);
    const deadline = Date.now() + 5000;
    let dead = await bus.deadLetters(lmsPeopleGroup);
    while (!dead.some((d) => d.event.id === event.id) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      dead = await bus.deadLetters(lmsPeopleGroup);
    }
    expect(dead.map((d) => d.event.id)).to.include(event.id);
    const listed = await api.call('GET', `/v1/admin/dead-letters/${lmsPeopleGroup}`, { token: admin });
    expect(listed.status).to.equal(200);
  });

  it('applies a batch of 1,000 people in one go, and a repeat of it as a no-op', async () => {
    const people = Array.from({ length: 1000 }, (_, i) =>
      fact({
        givenName: `Ученик ${i}`,
        email: `s${i}@school.example`,
        roles: [{ role: 'student', grade: 1 + (i % 11), classLetter: 'А', studentId: null }],
      }),
    );
    const started = Date.now();
    const firstBatch = await sync(people);
    const first = Date.now() - started;
    const repeat = await sync(people);
    // One event for the whole batch, none per person, none for the no-op repeat.
    const [only, ...more] = await batchEventsOf(firstBatch);
    expect(more).to.have.length(0);
    expect(only!.data.people).to.have.length(1000);
    expect(only!.data.people.every((p) => p.change === 'registered' && p.person.version === 1)).to.equal(
      true,
    );
    expect(only!.data.people.map((p) => p.person.id)).to.have.members(people.map((p) => p.id));
    expect(await batchEventsOf(repeat)).to.deep.equal([]);
    const single = await database.db
      .select({ id: outbox.id })
      .from(outbox)
      .where(
        inArray(
          outbox.subject,
          people.map((p) => p.id),
        ),
      );
    expect(single).to.have.length(0);
    expect(first).to.be.below(20_000);
  });
});
