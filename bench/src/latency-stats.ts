/** Latency figures of a set of requests, ms. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile (`p` in 0..100) of ascending `sorted`; 0 for an empty list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Count, mean, p50, p99 and max of latencies in any order. */
export function summariseLatencies(latencies: readonly number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const sum = sorted.reduce((total, ms) => total + ms, 0);
  return {
    count: sorted.length,
    mean: sorted.length ? sum / sorted.length : 0,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? 0,
  };
}

/** The middle value (the lower middle of an even count); NaN for an empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : Number.NaN;
}

/**
 * A plain-text table: the first column left-aligned, the others right-aligned, a rule
 * under the header; a row that is `'-'` becomes a rule too.
 */
export function formatTable(header: string[], rows: (string[] | '-')[]): string {
  const cellRows = rows.filter((r): r is string[] => r !== '-');
  const widths = header.map((_, i) =>
    Math.max(...[header, ...cellRows].map((cells) => (cells[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map((r) => (r === '-' ? rule : line(r)))].join('\n');
}

/** A millisecond figure with one decimal. */
export const ms = (value: number): string => value.toFixed(1);
