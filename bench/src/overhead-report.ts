import type { LoadRun } from './load-run';

/** The runs of one target folded into one line: throughput summed over runs, latencies averaged. */
export interface TargetSummary {
  label: string;
  runs: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  failures: number;
  /** Mean CPU ms per request of each watched process. */
  cpuMsPerRequest: Record<string, number>;
}

function meanCpu(list: LoadRun[]): Record<string, number> {
  const names = [...new Set(list.flatMap((r) => Object.keys(r.cpuMsPerRequest)))];
  return Object.fromEntries(
    names.map((name) => {
      const values = list.map((r) => r.cpuMsPerRequest[name]).filter((v): v is number => v !== undefined);
      return [name, values.reduce((sum, v) => sum + v, 0) / values.length];
    }),
  );
}

/** Folds the runs of each label (in order of first appearance). */
export function summarise(runs: LoadRun[]): TargetSummary[] {
  const byLabel = new Map<string, LoadRun[]>();
  for (const run of runs) byLabel.set(run.label, [...(byLabel.get(run.label) ?? []), run]);
  return [...byLabel].map(([label, list]) => {
    const mean = (pick: (r: LoadRun) => number) => list.reduce((sum, r) => sum + pick(r), 0) / list.length;
    return {
      label,
      runs: list.length,
      requestsPerSecond: mean((r) => r.requestsPerSecond),
      p50: mean((r) => r.p50),
      p99: mean((r) => r.p99),
      failures: list.reduce((sum, r) => sum + r.failures, 0),
      cpuMsPerRequest: meanCpu(list),
    };
  });
}

function row(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
}

/**
 * A plain-text table of every run and the per-target means (throughput, latency,
 * CPU per request of each watched process, µs), and the throughput ratio
 * `ratioOf[0]/ratioOf[1]` against `target`.
 */
export function formatReport(runs: LoadRun[], ratioOf: [string, string], target: number): string {
  const processes = [...new Set(runs.flatMap((r) => Object.keys(r.cpuMsPerRequest)))];
  const header = ['run', 'req/s', 'p50 ms', 'p99 ms', 'failed', ...processes.map((p) => `${p} CPU µs/req`)];
  const cpuCells = (cpu: Record<string, number>) =>
    processes.map((p) => (cpu[p] === undefined ? '-' : (cpu[p] * 1000).toFixed(0)));
  const lines = runs.map((r) => [
    r.label,
    r.requestsPerSecond.toFixed(0),
    r.p50.toFixed(1),
    r.p99.toFixed(1),
    String(r.failures),
    ...cpuCells(r.cpuMsPerRequest),
  ]);
  const summaries = summarise(runs);
  const meanLines = summaries.map((s) => [
    `${s.label} (mean of ${s.runs})`,
    s.requestsPerSecond.toFixed(0),
    s.p50.toFixed(1),
    s.p99.toFixed(1),
    String(s.failures),
    ...cpuCells(s.cpuMsPerRequest),
  ]);
  const all = [header, ...lines, ...meanLines];
  const widths = header.map((_, i) => Math.max(...all.map((cells) => cells[i]!.length)));
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [
    row(header, widths),
    rule,
    ...lines.map((c) => row(c, widths)),
    rule,
    ...meanLines.map((c) => row(c, widths)),
  ];
  const [a, b] = ratioOf.map((label) => summaries.find((s) => s.label === label));
  if (a && b && b.requestsPerSecond > 0) {
    const ratio = a.requestsPerSecond / b.requestsPerSecond;
    out.push(
      '',
      `throughput ratio ${a.label}/${b.label}: ${ratio.toFixed(2)} (target >= ${target}) ${ratio >= target ? 'met' : 'NOT met'}`,
    );
  }
  return out.join('\n');
}
