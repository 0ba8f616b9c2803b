import { expect } from 'chai';
import { formatTable, median, percentile, summariseLatencies } from './latency-stats';

describe('latency stats', () => {
  it('takes nearest-rank percentiles of a sorted list', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).to.equal(50);
    expect(percentile(sorted, 99)).to.equal(99);
    expect(percentile(sorted, 100)).to.equal(100);
    expect(percentile([7], 99)).to.equal(7);
    expect(percentile([], 50)).to.equal(0);
  });

  it('summarises latencies in any order', () => {
    expect(summariseLatencies([4, 1, 3, 2])).to.deep.equal({ count: 4, mean: 2.5, p50: 2, p99: 4, max: 4 });
    expect(summariseLatencies([])).to.deep.equal({ count: 0, mean: 0, p50: 0, p99: 0, max: 0 });
  });

  it('takes the median of an odd count and the lower middle of an even one', () => {
    expect(median([300, 100, 200])).to.equal(200);
    expect(median([4, 1, 3, 2])).to.equal(2);
    expect(median([])).to.be.NaN;
  });

  it('aligns a table: first column left, others right, rules under the header and for "-" rows', () => {
    expect(formatTable(['run', 'req/s'], [['a', '5'], '-', ['median', '1234']])).to.equal(
      ['run     req/s', '------  -----', 'a           5', '------  -----', 'median   1234'].join('\n'),
    );
  });
});
