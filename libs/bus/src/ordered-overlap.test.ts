import { expect } from 'chai';
import { OrderedOverlap } from './ordered-overlap';

/** A unit of work the test finishes by hand, recording when it started. */
function task(name: string, log: string[]) {
  let finish!: (value: string) => void;
  let fail!: (error: Error) => void;
  const done = new Promise<string>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return {
    work: () => {
      log.push(`start ${name}`);
      return done;
    },
    finish: () => finish(name),
    fail: (message: string) => fail(new Error(message)),
  };
}

/** Lets every queued promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('OrderedOverlap', () => {
  it('starts neighbours of the same key at once, side by side', async () => {
    const log: string[] = [];
    const order = new OrderedOverlap();
    const a1 = task('a1', log);
    const a2 = task('a2', log);
    const results = [order.run('a', a1.work), order.run('a', a2.work)];
    await settle();
    expect(log).to.deep.equal(['start a1', 'start a2']);
    a2.finish();
    a1.finish();
    expect(await Promise.all(results)).to.deep.equal(['a1', 'a2']);
  });

  it('starts another key only when everything before it has settled', async () => {
    const log: string[] = [];
    const order = new OrderedOverlap();
    const a1 = task('a1', log);
    const a2 = task('a2', log);
    const b1 = task('b1', log);
    const c1 = task('c1', log);
    void order.run('a', a1.work);
    void order.run('a', a2.work);
    void order.run('b', b1.work);
    void order.run('c', c1.work);
    await settle();
    expect(log).to.deep.equal(['start a1', 'start a2']);
    a1.finish();
    await settle();
    expect(log, 'b waits for a2 too').to.deep.equal(['start a1', 'start a2']);
    a2.finish();
    await settle();
    expect(log).to.deep.equal(['start a1', 'start a2', 'start b1']);
    b1.finish();
    await settle();
    expect(log).to.deep.equal(['start a1', 'start a2', 'start b1', 'start c1']);
    c1.finish();
  });

  it('keeps the order when a key comes back after another', async () => {
    const log: string[] = [];
    const order = new OrderedOverlap();
    const a1 = task('a1', log);
    const b1 = task('b1', log);
    const a2 = task('a2', log);
    void order.run('a', a1.work);
    void order.run('b', b1.work);
    void order.run('a', a2.work);
    a1.finish();
    await settle();
    expect(log, 'a2 is not let in beside a1: b1 came between').to.deep.equal(['start a1', 'start b1']);
    b1.finish();
    await settle();
    expect(log).to.deep.equal(['start a1', 'start b1', 'start a2']);
    a2.finish();
  });

  it('passes a failure to its own caller and does not hold up the work after it', async () => {
    const log: string[] = [];
    const order = new OrderedOverlap();
    const a1 = task('a1', log);
    const b1 = task('b1', log);
    const failed = order.run('a', a1.work);
    const next = order.run('b', b1.work);
    a1.fail('broken batch');
    let error: unknown;
    try {
      await failed;
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).to.equal('broken batch');
    await settle();
    expect(log).to.deep.equal(['start a1', 'start b1']);
    b1.finish();
    expect(await next).to.equal('b1');
  });
});
