import { expect } from 'chai';
import { eventDataSchemas, isKnownEventType } from './index';
import { newestSnapshotsById, type PersonSnapshot } from './registry-events';

describe('registry events: people.changed (one event per applied batch)', () => {
  const person = (n: number): PersonSnapshot => ({
    id: `01890000-0000-7000-8000-${String(n).padStart(12, '0')}`,
    givenName: 'Анна',
    familyName: 'Смирнова',
    middleName: null,
    birthDate: '2009-03-14',
    emailHash: null,
    roles: [{ role: 'student', organisationId: '01890000-0000-7000-8000-000000000001', grade: 10 }],
    status: 'active',
    version: 1,
  });
  const schema = eventDataSchemas['mathnet.registry.people.changed'];

  it('is a known event type carrying person snapshots with their change, and an optional LMS source', () => {
    expect(isKnownEventType('mathnet.registry.people.changed')).to.equal(true);
    const data = {
      people: [
        { change: 'registered', person: person(1) },
        { change: 'updated', person: { ...person(2), version: 3 } },
      ],
      source: {
        runId: '01890000-0000-7000-8000-0000000000aa',
        connectionId: '01890000-0000-7000-8000-0000000000bb',
      },
    };
    expect(schema.parse(data)).to.deep.equal(data);
    expect(schema.safeParse({ people: data.people }).success).to.equal(true);
  });

  it('rejects an empty batch, more than 1,000 people, an unknown change and a broken snapshot', () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ change: 'registered', person: person(i) }));
    expect(schema.safeParse({ people: [] }).success).to.equal(false);
    expect(schema.safeParse({ people: many }).success).to.equal(false);
    expect(schema.safeParse({ people: many.slice(0, 1000) }).success).to.equal(true);
    expect(schema.safeParse({ people: [{ change: 'deleted', person: person(1) }] }).success).to.equal(false);
    expect(schema.safeParse({ people: [{ change: 'updated', person: { id: 'nope' } }] }).success).to.equal(
      false,
    );
    expect(
      schema.safeParse({ people: [{ change: 'updated', person: person(1) }], source: { runId: 'x' } })
        .success,
    ).to.equal(false);
  });

  it('keeps the newest snapshot of a person named twice, in id order (how read models write a batch)', () => {
    const rows = newestSnapshotsById([
      { ...person(3), version: 2 },
      person(1),
      { ...person(3), version: 5 },
      { ...person(3), version: 4 },
    ]);
    expect(rows.map((r) => [r.id.slice(-1), r.version])).to.deep.equal([
      ['1', 1],
      ['3', 5],
    ]);
  });
});
