import { expect } from 'chai';
import { eventDataSchemas, isKnownEventType, maxEnrollmentsPerBatchEvent } from './index';

describe('contracts: mathnet.courses.enrollments.changed (one event per applied batch)', () => {
  const item = (status: string) => ({
    id: '01890000-0000-7000-8000-0000000000e1',
    offeringId: '01890000-0000-7000-8000-0000000000c1',
    providerId: '01890000-0000-7000-8000-0000000000a1',
    studentId: '01890000-0000-7000-8000-0000000000b1',
    homeSchoolId: '01890000-0000-7000-8000-0000000000a1',
    status,
    actorId: 'lms:01890000-0000-7000-8000-0000000000d1',
    reason: null,
    result: null,
    version: 1,
  });
  const source = {
    connectionId: '01890000-0000-7000-8000-0000000000d1',
    runId: '01890000-0000-7000-8000-0000000000f1',
  };
  const schema = eventDataSchemas['mathnet.courses.enrollments.changed'];

  it('is a known type whose items are the per-record enrollment payloads', () => {
    expect(isKnownEventType('mathnet.courses.enrollments.changed')).to.equal(true);
    const data = { enrollments: [item('enrolled'), item('withdrawn'), item('completed')], source };
    expect(schema.parse(data)).to.deep.equal(data);
    for (const enrollment of data.enrollments) {
      expect(eventDataSchemas['mathnet.courses.enrollment.enrolled'].safeParse(enrollment).success).to.equal(
        true,
      );
    }
  });

  it('rejects an empty batch, one over the limit, a bad item and a missing source', () => {
    expect(schema.safeParse({ enrollments: [], source }).success).to.equal(false);
    const many = new Array(maxEnrollmentsPerBatchEvent + 1).fill(item('enrolled'));
    expect(schema.safeParse({ enrollments: many, source }).success).to.equal(false);
    expect(schema.safeParse({ enrollments: many.slice(1), source }).success).to.equal(true);
    expect(schema.safeParse({ enrollments: [item('teleported')], source }).success).to.equal(false);
    expect(schema.safeParse({ enrollments: [item('enrolled')] }).success).to.equal(false);
  });
});
