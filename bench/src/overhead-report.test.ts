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
  cpuMsPerRequest:
    label === 'gateway' ? { registry: 1, gateway: requestsPerSecond / 1000 } : { registry: 1.5 },
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
      {
        label: 'gateway',
        runs: 2,
        requestsPerSecond: 950,
        p50: 51,
        p99: 92,
        failures: 0,
        cpuMsPerRequest: { registry: 1, gateway: 0.95 },
      },
      {
        label: 'direct',
        runs: 2,
        requestsPerSecond: 1050,
        p50: 44.5,
        p99: 82,
        failures: 2,
        cpuMsPerRequest: { registry: 1.5 },
      },
    ]);
  });

  it('prints every run, the means and the ratio against the target', () => {
    const text = formatReport(runs, ['gateway', 'direct'], 0.8);
    expect(text).to.contain('gateway (mean of 2)');
    expect(text).to.match(/run +req\/s +p50 ms +p99 ms +failed +registry CPU µs\/req +gateway CPU µs\/req/);
    expect(text).to.match(/direct \(mean of 2\) +1050 +44\.5 +82\.0 +2 +1500 +-/);
    expect(text).to.contain('throughput ratio gateway/direct: 0.90 (target >= 0.8) met');
    expect(formatReport(runs, ['gateway', 'direct'], 0.95)).to.contain('NOT met');
  });
});
