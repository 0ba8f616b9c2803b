import { formatTable } from './latency-stats';
import type { ImportFigures } from './lms-import-run';
import { sec } from './lms-import-run';
import { mb } from './lms-memory';
import type { RunRow } from './lms-progress';

/** CPU seconds by process, largest first, and as a share of one core over `wallMs`. */
export function cpuTable(cpu: Record<string, number>, wallMs: number): string {
  const rows = Object.entries(cpu)
    .sort(([, a], [, b]) => b - a)
    .map(([name, ms]) => [name, (ms / 1000).toFixed(1), ((100 * ms) / wallMs).toFixed(0)]);
  const all = Object.values(cpu).reduce((a, b) => a + b, 0);
  return formatTable(
    ['process', 'CPU s', '% of one core'],
    [...rows, '-', ['all', (all / 1000).toFixed(1), ((100 * all) / wallMs).toFixed(0)]],
  );
}

/** A run's counts in one line. */
export const countsLine = (c: RunRow['counts']): string =>
  `created ${c.created}, updated ${c.updated}, deactivated ${c.deactivated}, unchanged ${c.unchanged}, failed ${c.failed}`;

const rss = (f: ImportFigures) => {
  const bridge = f.memory.get('lms-bridge');
  return `${mb(bridge?.startRss)} / ${mb(bridge?.peakRss)}`;
};

/** One row per import: times to each part, rows/s end to end, the bridge's RSS. */
export function importsTable(imports: [string, ImportFigures][], rows: number): string {
  return formatTable(
    ['', 'end to end', 'run', 'registry', 'courses', 'rows/s', 'bridge RSS start/peak'],
    imports.map(([label, f]) => {
      const t = f.times;
      if (!t) return [label, `> ${sec(f.wallMs)}`, 'not done', '', '', '', rss(f)];
      return [
        label,
        sec(t.all),
        sec(t.runSucceeded),
        sec(t.registry),
        sec(t.courses),
        (rows / (t.all / 1000)).toFixed(0),
        rss(f),
      ];
    }),
  );
}
