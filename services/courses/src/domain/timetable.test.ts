import { expect } from 'chai';
import { findClash, type Timetabled } from './timetable';

const offering = (
  id: string,
  schedule: Timetabled['schedule'],
  termStart: string | null = '2026-09-01',
  termEnd: string | null = '2026-12-25',
): Timetabled => ({
  id,
  title: id,
  termStart,
  termEnd,
  schedule,
});

describe('timetable clash', () => {
  const monday = { weekday: 1, start: '15:00', end: '16:30' };
  it('finds overlapping slots on the same weekday in overlapping terms', () => {
    const clash = findClash(offering('a', [monday]), [
      offering('b', [{ weekday: 1, start: '16:00', end: '17:00' }]),
    ]);
    expect(clash?.with.id).to.equal('b');
  });
  it('ignores back-to-back slots, other weekdays and disjoint terms', () => {
    const candidate = offering('a', [monday]);
    expect(findClash(candidate, [offering('b', [{ weekday: 1, start: '16:30', end: '18:00' }])])).to.equal(
      undefined,
    );
    expect(findClash(candidate, [offering('c', [{ weekday: 2, start: '15:00', end: '16:30' }])])).to.equal(
      undefined,
    );
    expect(findClash(candidate, [offering('d', [monday], '2027-01-10', '2027-05-25')])).to.equal(undefined);
  });
  it('treats an open term as overlapping', () => {
    expect(findClash(offering('a', [monday], null, null), [offering('b', [monday])])?.with.id).to.equal('b');
  });
});
