import { expect } from 'chai';
import type { ImportFigures } from './lms-import-run';
import { processMemory } from './lms-memory';
import { countsLine, cpuTable, importsTable } from './lms-report';

const figures = (times: ImportFigures['times']): ImportFigures => ({
  upload: 100,
  times,
  run: undefined,
  memory: new Map([['lms-bridge', { startRss: 200 * 2 ** 20, peakRss: 300 * 2 ** 20, hwm: 0, lastRss: 0 }]]),
  cpu: {},
  wallMs: 600_000,
  runId: 'r',
  postedAt: 0,
});

describe('lms bench report', () => {
  it('lists CPU by process, largest first, with the share of one core', () => {
    const lines = cpuTable({ courses: 2000, 'lms-bridge': 6000 }, 4000).split('\n');
    expect(lines[2]).to.match(/^lms-bridge\s+6\.0\s+150$/);
    expect(lines[3]).to.match(/^courses\s+2\.0\s+50$/);
    expect(lines.at(-1)).to.match(/^all\s+8\.0\s+200$/);
  });

  it('gives rows/s end to end, and says when an import did not finish', () => {
    const done = figures({ runSucceeded: 40_000, registry: 10_000, courses: 50_000, all: 50_000 });
    const lines = importsTable(
      [
        ['import 1', done],
        ['import 2', figures(undefined)],
      ],
      60_000,
    ).split('\n');
    expect(lines[2]).to.match(/^import 1\s+50\.0 s\s+40\.0 s\s+10\.0 s\s+50\.0 s\s+1200\s+200 MB \/ 300 MB$/);
    expect(lines[3]).to.match(/^import 2\s+> 600\.0 s\s+not done/);
  });

  it('prints a run’s counts in one line', () => {
    expect(countsLine({ created: 1, updated: 2, deactivated: 3, unchanged: 4, failed: 5 })).to.equal(
      'created 1, updated 2, deactivated 3, unchanged 4, failed 5',
    );
  });

  it('reads the RSS and its peak of a process from procfs', function () {
    const memory = processMemory(process.pid);
    if (!memory) this.skip(); // no /proc on this system (macOS, Windows)
    expect(memory!.rss).to.be.greaterThan(10 * 2 ** 20);
    expect(memory!.hwm).to.be.at.least(memory!.rss);
  });
});
