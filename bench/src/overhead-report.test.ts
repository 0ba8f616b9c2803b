import { expect } from 'chai';
import type { LoadRun } from './load-run';
import { formatReport, summarise } from './overhead-report';

const run = (label: string, requestsPerSecond: number, p50: number, p99: number, failures = 0): LoadRun => ({
  label,
  requestsPerSecond,
  p50,
  p99,
  failures,
  total: requestsPerSecond * 10,
});

describe('overhead report', () => {
  const runs = [
    run('gateway', 900, 50, 90),
    run('direct', 1000, 45, 80),
    run('direct', 1100, 44, 84, 2),
    run('gateway', 1000, 52, 94),
  ];

  it('folds the runs of each target into means, in order of first appearance', () => {
    expect(summarise(runs)).to.deep.equal([
      { label: 'gateway', runs: 2, requestsPerSecond: 950, p50: 51, p99: 92, failures: 0 },
      { label: 'direct', runs: 2, requestsPerSecond: 1050, p50: 44.5, p99: 82, failures: 2 },
    ]);
  });

  it('prints every run, the means and the ratio against the target', () => {
    const text = formatReport(runs, ['gateway', 'direct'], 0.8);
    expect(text).to.contain('gateway (mean of 2)');
    expect(text).to.contain('throughput ratio gateway/direct: 0.90 (target >= 0.8) met');
    expect(formatReport(runs, ['gateway', 'direct'], 0.95)).to.contain('NOT met');
  });
});
