import { expect } from 'chai';
import { searchCase, searchKinds, searchRequest, searchSql } from './catalogue-queries';
import { SeededRandom } from './seeded-random';

describe('catalogue queries', () => {
  const providers = ['0199a0a0-0000-7000-8000-000000000001'];

  it('makes a request of every kind against /v1/offerings', () => {
    const random = new SeededRandom(3);
    for (const kind of searchKinds) {
      const req = searchRequest(searchCase(kind, random, providers));
      expect(req).to.include({ label: kind, method: 'GET' });
      expect(req.path).to.match(/^\/v1\/offerings\?/);
    }
  });

  it('writes the SQL of searchOfferings: published, filters, id::text order, limit + 1', () => {
    const { text, values } = searchSql({
      kind: 'subject+grade',
      params: { subject: 'maths', grade: '10', limit: '20' },
    });
    expect(text).to.contain(`where o.status in ('published') and o.subjects @> $1 and o.grades @> $2`);
    expect(text).to.match(/order by o\.id::text asc, o\.id asc limit 21$/);
    expect(values).to.deep.equal(['{maths}', '{10}']);
  });

  it('sorts by lower(title) and lower-cases the words of q', () => {
    const title = searchSql({
      kind: 'format+freeSeats by title',
      params: { format: 'distance', freeSeats: 'true', sort: 'title' },
    });
    expect(title.text).to.contain('o.enrolled_count < o.capacity');
    expect(title.text).to.match(/order by lower\(o\.title\) asc, o\.id asc limit 51$/);
    expect(searchSql({ kind: 'q=word', params: { q: 'Алгебра' } }).values).to.deep.equal(['%алгебра%']);
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
