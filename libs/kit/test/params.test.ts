import { expect } from 'chai';
import { decodeCursor, encodeCursor, InputError, NotFoundError, pageOf, uuidParam } from '../src/index';

describe('path ids and list cursors', () => {
  const id = '01890000-0000-7000-8000-00000000000A';

  it('takes a UUID path id, lower-cased, and answers 404 for anything else', () => {
    expect(uuidParam(id, 'person')).to.equal(id.toLowerCase());
    for (const bad of [undefined, '', 'not-a-uuid', `${id}x`, "1' or '1'='1"]) {
      expect(() => uuidParam(bad, 'person'), String(bad)).to.throw(NotFoundError);
    }
  });

  it('pages with cursors it can read back, and refuses a cursor it did not give out', () => {
    const rows = ['a', 'b', 'c'].map((n) => ({ id: `01890000-0000-7000-8000-00000000000${n}`, n }));
    const page = pageOf(rows, 2);
    expect(page.items.map((r) => r.n)).to.deep.equal(['a', 'b']);
    expect(decodeCursor(page.nextCursor!)).to.equal(rows[1]!.id);
    expect(pageOf(rows, 3).nextCursor, 'no more rows').to.equal(null);
    expect(decodeCursor(undefined)).to.equal(undefined);
    expect(decodeCursor(encodeCursor(rows[0]!.id))).to.equal(rows[0]!.id);
    expect(() => decodeCursor(encodeCursor('42'))).to.throw(InputError);
  });
});
