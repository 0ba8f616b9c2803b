import { expect } from 'chai';
import { compileTopicPattern, topicMatches } from './topic-pattern';

describe('topicMatches (AMQP topic routing)', () => {
  const cases: Array<[pattern: string, key: string, expected: boolean]> = [
    ['mathnet.registry.person.updated', 'mathnet.registry.person.updated', true],
    ['mathnet.registry.person.updated', 'mathnet.registry.person.created', false],
    ['mathnet.registry.person', 'mathnet.registry.person.updated', false],
    ['mathnet.*.person.updated', 'mathnet.registry.person.updated', true],
    ['mathnet.*.person.updated', 'mathnet.person.updated', false],
    ['mathnet.*.person.updated', 'mathnet.a.b.person.updated', false],
    ['mathnet.*', 'mathnet.registry', true],
    ['mathnet.*', 'mathnet', false],
    ['mathnet.registry.#', 'mathnet.registry.person.updated', true],
    ['mathnet.registry.#', 'mathnet.registry', true],
    ['mathnet.registry.#', 'mathnet.courses.person.updated', false],
    ['#', 'mathnet.registry.person.updated', true],
    ['#', '', true],
    ['*', '', false],
    ['#.updated', 'mathnet.registry.person.updated', true],
    ['#.updated', 'updated', true],
    ['#.updated', 'mathnet.registry.person.created', false],
    ['mathnet.#.updated', 'mathnet.updated', true],
    ['mathnet.#.updated', 'mathnet.a.b.c.updated', true],
    ['mathnet.#.updated', 'mathnet.a.b.c.updated.not', false],
    ['mathnet.#.*', 'mathnet', false],
    ['mathnet.#.*', 'mathnet.x', true],
    ['#.#', 'a.b', true],
    ['#.*.#', '', false],
    ['#.*.#', 'a', true],
    ['a.*.#.c', 'a.b.c', true],
    ['a.*.#.c', 'a.c', false],
  ];
  for (const [pattern, key, expected] of cases) {
    it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(key)}`, () => {
      expect(topicMatches(pattern, key)).to.equal(expected);
    });
  }

  it('stays fast on patterns with many #', () => {
    const match = compileTopicPattern('#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.z');
    const key = Array.from({ length: 200 }, () => 'a').join('.');
    const started = performance.now();
    expect(match(key)).to.equal(false);
    expect(performance.now() - started).to.be.lessThan(100);
  });
});
