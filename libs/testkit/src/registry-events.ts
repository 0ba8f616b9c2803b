import { type CloudEvent, createEvent, type PersonSnapshot } from '@mathnet/contracts';

/*
 * Registry's person events as a consumer of them receives them (contracts, ADR 0007), for the
 * tests of read models: version 1 is a registration, any later version an update.
 */

/** `person.registered` (version 1) or `person.updated` carrying the snapshot. */
export function personEvent(person: PersonSnapshot): CloudEvent {
  return createEvent({
    source: '/mathnet/registry',
    type: person.version === 1 ? 'mathnet.registry.person.registered' : 'mathnet.registry.person.updated',
    subject: person.id,
    data: person,
  });
}

/** One `people.changed` batch of these snapshots, about `schoolId`'s LMS batch. */
export function peopleChangedEvent(schoolId: string, people: PersonSnapshot[]): CloudEvent {
  return createEvent({
    source: '/mathnet/registry',
    type: 'mathnet.registry.people.changed',
    subject: schoolId,
    data: {
      people: people.map((person) => ({ change: person.version === 1 ? 'registered' : 'updated', person })),
    },
  });
}
