import { expect } from 'chai';
import { nextPageOf, searchCase, searchKinds, searchRequest, searchSql } from './catalogue-queries';
import { SeededRandom } from './seeded-random';

describe('catalogue queries', () => {
  const first = {
    kind: 'subject+grade' as const,
    params: { subject: 'maths', grade: '10', limit: '20' },
  };
  const cursor = Buffer.from(JSON.stringify(['x', '0199a0a0-0000-7000-8000-0000000000aa'])).toString(
    'base64url',
  );
  const pool = {
    providers: ['0199a0a0-0000-7000-8000-000000000001'],
    nextPages: [nextPageOf(first, cursor)],
  };

  it('makes a request of every kind against /v1/offerings, pages of 20', () => {
    const random = new SeededRandom(3);
    for (const kind of searchKinds) {
      const req = searchRequest(searchCase(kind, random, pool));
      expect(req).to.include({ label: kind, method: 'GET' });
      expect(req.path).to.match(/^\/v1\/offerings\?.*limit=20/);
    }
    expect(searchRequest(searchCase('next page', random, pool)).path).to.contain(`cursor=${cursor}`);
  });

  it('writes the SQL of searchOfferingPage: published, filters, uuid order, limit + 1, items as JSON', () => {
    const { text, values } = searchSql(first);
    expect(text).to.contain('where o.status = $1 and o.subjects @> $2 and o.grades @> $3');
    expect(text).to.contain("json_build_object('id', o.id");
    expect(text).to.match(/order by o\.id asc, o\.id asc limit 21$/);
    expect(values).to.deep.equal(['published', '{maths}', '{10}']);
  });

  it('sorts by lower(title), continues after a cursor by row comparison, lower-cases the words of q', () => {
    const title = searchSql({
      kind: 'next page',
      params: { format: 'distance', freeSeats: 'true', sort: 'title', limit: '20', cursor },
    });
    expect(title.text).to.contain('o.enrolled_count < o.capacity');
    expect(title.text).to.contain('(lower(o.title), o.id) > ($3, $4::uuid)');
    expect(title.text).to.match(/order by lower\(o\.title\) asc, o\.id asc limit 21$/);
    expect(title.values.slice(2)).to.deep.equal(['x', '0199a0a0-0000-7000-8000-0000000000aa']);
    expect(searchSql({ kind: 'next page', params: { ...first.params, cursor } }).text).to.contain(
      'o.id > $4',
    );
    expect(searchSql({ kind: 'q=word', params: { q: 'Алгебра' } }).values).to.deep.equal([
      'published',
      '%алгебра%',
    ]);
  });
});

describe('seeded random', () => {
  it('repeats itself for a seed and samples distinct elements', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    expect(Array.from({ length: 5 }, () => a.int(1, 100))).to.deep.equal(
      Array.from({ length: 5 }, () => b.int(1, 100)),
    );
    const sample = new SeededRandom(7).sample(
      Array.from({ length: 30 }, (_, i) => i),
      25,
    );
    expect(new Set(sample).size).to.equal(25);
  });
});
