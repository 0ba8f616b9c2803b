import { expect } from 'chai';
import { CleanupStack } from './bench-run';

describe('cleanup stack', () => {
  it('undoes in reverse order, once, and goes on after a failing step', async () => {
    const done: string[] = [];
    const stack = new CleanupStack();
    stack.add('database', async () => done.push('database'));
    stack.add('process', async () => {
      done.push('process');
      throw new Error('already gone');
    });
    stack.add('pool', async () => done.push('pool'));
    const output: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((text: string) => output.push(text) > 0) as typeof process.stdout.write;
    try {
      await Promise.all([stack.run(), stack.run()]);
    } finally {
      process.stdout.write = write;
    }
    expect(done).to.deep.equal(['pool', 'process', 'database']);
    expect(output).to.deep.equal(['cleanup: process failed: already gone\n']);
  });
});
