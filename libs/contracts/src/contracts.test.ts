import { expect } from 'chai';
import { cloudEventSchema, createEvent, eventDataSchemas, isKnownEventType } from './index';

describe('contracts', () => {
  it('builds CloudEvents 1.0 envelopes with time-ordered UUIDv7 ids', () => {
    const a = createEvent({
      source: '/mathnet/registry',
      type: 'mathnet.registry.organisation.registered',
      subject: 'x',
      data: { a: 1 },
    });
    const b = createEvent({
      source: '/mathnet/registry',
      type: 'mathnet.registry.organisation.registered',
      data: {},
    });
    expect(cloudEventSchema.safeParse(a).success).to.equal(true);
    expect(a.specversion).to.equal('1.0');
    expect(a.id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    expect(a.id < b.id).to.equal(true);
    expect(b).to.not.have.property('subject');
  });

  it('rejects types outside mathnet.<service>.<entity>.<verb>', () => {
    const bad = { ...createEvent({ source: '/x', type: 'mathnet.a.b', data: {} }), type: 'Registry Created' };
    expect(cloudEventSchema.safeParse(bad).success).to.equal(false);
  });

  it('knows every event type of registry and courses, with data schemas that reject wrong shapes', () => {
    for (const type of [
      'mathnet.registry.person.updated',
      'mathnet.courses.enrollment.waitlisted',
      'mathnet.courses.route.approved',
      'mathnet.courses.credit.decided',
    ]) {
      expect(isKnownEventType(type), type).to.equal(true);
    }
    expect(isKnownEventType('mathnet.courses.enrollment.teleported')).to.equal(false);
    const org = eventDataSchemas['mathnet.registry.organisation.registered'];
    expect(org.safeParse({ id: 'nope', name: 'x', kind: 'school' }).success).to.equal(false);
    expect(
      org.safeParse({
        id: '01890000-0000-7000-8000-000000000001',
        name: 'Школа',
        shortName: null,
        kind: 'school',
        isHub: false,
        profiles: [],
        status: 'active',
        version: 1,
      }).success,
    ).to.equal(true);
  });
});
