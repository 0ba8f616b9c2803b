import { expect } from 'chai';
import { isOneRosterDate, normaliseDateTime, RowReader, splitList } from './row-reader';

describe('RowReader', () => {
  it('reads typed values and names every problem', () => {
    const reader = new RowReader(
      {
        sourcedId: ' s-1 ',
        status: '',
        dateLastModified: '',
        enabled: 'TRUE',
        list: ' a, b ,,c ',
        day: '2024-02-29',
        bad: '2023-02-29',
        n: '4.5',
        notN: 'four',
      },
      'bulk',
    );
    expect(reader.base()).to.deep.equal({ sourcedId: 's-1', status: 'active' });
    expect(reader.bool('enabled')).to.equal(true);
    expect(reader.list('list')).to.deep.equal(['a', 'b', 'c']);
    expect(reader.date('day')).to.equal('2024-02-29');
    expect(reader.date('bad')).to.equal(undefined);
    expect(reader.number('n')).to.equal(4.5);
    expect(reader.number('notN')).to.equal(undefined);
    expect(reader.req('missing')).to.equal('');
    expect(reader.problems).to.deep.equal([
      'bad: "2023-02-29" is not a date (YYYY-MM-DD)',
      'notN: "four" is not a number',
      'missing required value: missing',
    ]);
  });

  it('in delta files, status and dateLastModified are required', () => {
    const reader = new RowReader(
      { sourcedId: 'x', status: 'tobedeleted', dateLastModified: '2026-01-02T03:04:05+03:00' },
      'delta',
    );
    expect(reader.base()).to.deep.equal({
      sourcedId: 'x',
      status: 'tobedeleted',
      dateLastModified: '2026-01-02T00:04:05.000Z',
    });
    const missing = new RowReader({ sourcedId: 'x' }, 'delta');
    missing.base();
    expect(missing.problems).to.deep.equal([
      'missing required value: status',
      'missing required value: dateLastModified',
    ]);
  });

  it('dates and date-times', () => {
    expect(isOneRosterDate('2026-01-31')).to.equal(true);
    expect(isOneRosterDate('2026-1-31')).to.equal(false);
    expect(normaliseDateTime('2026-01-31T10:00:00Z')).to.equal('2026-01-31T10:00:00.000Z');
    expect(normaliseDateTime('2026-01-31')).to.equal(undefined);
    expect(normaliseDateTime('yesterday')).to.equal(undefined);
    expect(splitList(undefined)).to.deep.equal([]);
  });
});
