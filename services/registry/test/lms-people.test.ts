import { createEventBus, type EventBus, type EventRecorder, recordEvents } from '@mathnet/bus';
import { type CloudEvent, createEvent, type LmsPersonFact } from '@mathnet/contracts';
import { createDatabase, type DatabaseHandle } from '@mathnet/db';
import { createLogger, listen, type RunningServer } from '@mathnet/kit';
import { createTestBus, createTestDatabase, type TestDatabase } from '@mathnet/testkit';
import { expect } from 'chai';
import { eq, inArray } from 'drizzle-orm';
import { v4 as uuidv4 } from 'uuid';
import { lmsPeopleGroup } from '../src/consumers/lms-people';
import { createRegistryService, type RegistryService } from '../src/service';
import { outbox } from '../src/store/schema';
import { adminEmail, adminPassword, client } from './registry-harness';

/** Resolves when the consumer group finished handling the event `times` times (ok = resolved, else threw). */
type Handled = (
  group: string,
  eventId: string,
  times?: number,
) => Promise<{ ok: boolean; error?: unknown }[]>;

/** The bus with every handler's completion observable, so a test awaits "handled" even when nothing is emitted. */
function observeHandling(bus: EventBus): { bus: EventBus; handled: Handled } {
  const outcomes = new Map<string, { ok: boolean; error?: unknown }[]>();
  const waiters = new Set<() => void>();
  const observed: EventBus = {
    transport: bus.transport,
    start: () => bus.start(),
    publish: (events) => bus.publish(events),
    subscribe: (options) =>
      bus.subscribe({
        ...options,
        handler: async (event, context) => {
          const key = `${options.group}|${event.id}`;
          const record = (outcome: { ok: boolean; error?: unknown }) => {
            outcomes.set(key, [...(outcomes.get(key) ?? []), outcome]);
            for (const wake of waiters) wake();
          };
          try {
            await options.handler(event, context);
            record({ ok: true });
          } catch (error) {
            record({ ok: false, error });
            throw error;
          }
        },
      }),
    deadLetters: (group, limit) => bus.deadLetters(group, limit),
    replayDeadLetters: (group) => bus.replayDeadLetters(group),
    ping: () => bus.ping(),
    interruptConnection: (ms) => bus.interruptConnection(ms),
    close: () => bus.close(),
  };
  const handled: Handled = (group, eventId, times = 1) =>
    new Promise((resolve, reject) => {
      const key = `${group}|${eventId}`;
      const check = () => {
        const seen = outcomes.get(key) ?? [];
        if (seen.length < times) return false;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(seen);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(`${group} handled ${eventId} ${outcomes.get(key)?.length ?? 0} times, not ${times}`),
        );
      }, 15_000);
      if (!check()) waiters.add(check);
    });
  return { bus: observed, handled };
}

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
      createEventBus(testBus.url, { logger, exchange: testBus.exchange, queuePrefix: testBus.queuePrefix }),
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
  /** The verbs of the person events in registry's outbox for one person, in order: what was (or will be) published. */
  const emitted = async (id: string) => {
    const rows = await database.db
      .select({ type: outbox.type })
      .from(outbox)
      .where(eq(outbox.subject, id))
      .orderBy(outbox.seq);
    return rows.map((r) => r.type.split('.').pop());
  };
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
    const registered = await events.waitFor(
      (e) => e.type === 'mathnet.registry.person.registered' && e.subject === student.id,
    );
    expect(registered.data).to.include({ id: student.id, version: 1, status: 'active' });
    expect((registered.data as { emailHash: string }).emailHash).to.match(/^[0-9a-f]{64}$/);
    expect(await emitted(student.id)).to.deep.equal(['registered']);
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
        roles: [
          { role: 'student', grade: 10, classLetter: 'В', studentId: null },
        ],
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
    const updated = await events.waitFor(
      (e) => e.type === 'mathnet.registry.person.updated' && e.subject === id,
    );
    expect(updated.data).to.include({ version: 2 });
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
    const archived = await events.waitFor(
      (e) =>
        e.type === 'mathnet.registry.person.updated' &&
        e.subject === onlyHere.id &&
        e.data !== null &&
        (e.data as { version: number }).version === 2,
    );
    expect(archived.data).to.deep.include({ status: 'archived', roles: [] });
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
    await sync(people);
    const first = Date.now() - started;
    await sync(people);
    const ids = people.map((p) => p.id);
    const rows = await database.db.select({ id: outbox.id }).from(outbox).where(inArray(outbox.subject, ids));
    expect(rows).to.have.length(1000);
    const [one] = await database.db
      .select({ type: outbox.type })
      .from(outbox)
      .where(eq(outbox.subject, ids[999]!));
    expect(one!.type).to.equal('mathnet.registry.person.registered');
    expect(first).to.be.below(20_000);
  });
});
