import { expect } from 'chai';
import { encodePhpForm } from './php-form';

describe('encodePhpForm', () => {
  it('encodes scalars as plain fields', () => {
    const form = encodePhpForm({
      wsfunction: 'core_course_get_courses',
      courseid: 2,
      onlyactive: true,
      off: false,
    });
    expect(form.toString()).to.equal('wsfunction=core_course_get_courses&courseid=2&onlyactive=1&off=0');
  });

  it('encodes arrays with indexes, the way PHP builds $_POST arrays', () => {
    const form = encodePhpForm({ courseids: [2, 7] });
    expect([...form]).to.deep.equal([
      ['courseids[0]', '2'],
      ['courseids[1]', '7'],
    ]);
  });

  it('encodes arrays of structures (options[0][name]=…)', () => {
    const form = encodePhpForm({
      courseid: 3,
      options: [
        { name: 'limitfrom', value: 0 },
        { name: 'limitnumber', value: 200 },
      ],
    });
    expect([...form]).to.deep.equal([
      ['courseid', '3'],
      ['options[0][name]', 'limitfrom'],
      ['options[0][value]', '0'],
      ['options[1][name]', 'limitnumber'],
      ['options[1][value]', '200'],
    ]);
  });

  it('encodes nested structures with named keys (options[ids][0]=…)', () => {
    const form = encodePhpForm({
      options: { ids: [4, 5] },
      enrolments: [{ roleid: 5, userid: 10, courseid: 2 }],
    });
    expect([...form]).to.deep.equal([
      ['options[ids][0]', '4'],
      ['options[ids][1]', '5'],
      ['enrolments[0][roleid]', '5'],
      ['enrolments[0][userid]', '10'],
      ['enrolments[0][courseid]', '2'],
    ]);
  });

  it('leaves out null, undefined and empty arrays', () => {
    const form = encodePhpForm({ a: null, b: undefined, c: [], d: 'x' });
    expect(form.toString()).to.equal('d=x');
  });

  it('percent-encodes brackets and Cyrillic text', () => {
    const form = encodePhpForm({ values: ['Иванов'] });
    expect(form.toString()).to.equal('values%5B0%5D=%D0%98%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2');
  });

  it('refuses numbers PHP would not read as numbers', () => {
    expect(() => encodePhpForm({ courseid: Number.NaN })).to.throw(TypeError, /courseid/);
  });
});
