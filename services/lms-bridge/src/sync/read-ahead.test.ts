import { expect } from 'chai';
import { readAhead } from './read-ahead';

describe('readAhead', () => {
  it('yields every item in order, asking for the next one while the consumer holds one', async () => {
    const asked: number[] = [];
    async function* source() {
      for (let i = 1; i <= 3; i++) {
        asked.push(i);
        yield i;
      }
    }
    const seen: [number, number[]][] = [];
    for await (const item of readAhead(source())) seen.push([item, [...asked]]);
    expect(seen).to.deep.equal([
      [1, [1, 2]],
      [2, [1, 2, 3]],
      [3, [1, 2, 3]],
    ]);
  });

  it('surfaces the error of the item read ahead when the consumer gets to it', async () => {
    async function* source() {
      yield 1;
      throw new Error('broken page');
    }
    const got: number[] = [];
    let error: Error | undefined;
    try {
      for await (const item of readAhead(source())) got.push(item);
    } catch (e) {
      error = e as Error;
    }
    expect(got).to.deep.equal([1]);
    expect(error?.message).to.equal('broken page');
  });

  it('closes the source when the consumer stops early', async () => {
    let closed = false;
    async function* source() {
      try {
        for (let i = 1; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    for await (const item of readAhead(source())) if (item === 2) break;
    expect(closed).to.equal(true);
  });
});
