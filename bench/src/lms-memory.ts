import { readFileSync } from 'node:fs';

/** VmRSS and VmHWM (peak RSS since the process started) of a process, bytes; undefined without procfs. */
export function processMemory(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    const rss = kb('VmRSS');
    const hwm = kb('VmHWM');
    return Number.isFinite(rss) && Number.isFinite(hwm) ? { rss: rss * 1024, hwm: hwm * 1024 } : undefined;
  } catch {
    return undefined;
  }
}

/** What a {@link MemorySampler} saw of one process. */
export interface MemoryFigures {
  /** RSS when sampling started. */
  startRss: number;
  /** The largest RSS sampled. */
  peakRss: number;
  /** VmHWM at the last sample: the kernel's own peak since the process started (catches spikes between samples). */
  hwm: number;
  /** RSS at the last sample. */
  lastRss: number;
}

/** Samples RSS of some processes every `everyMs` until stopped. */
export class MemorySampler {
  private readonly figures = new Map<string, MemoryFigures>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pids: Record<string, number>,
    everyMs = 200,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  private sample(): void {
    for (const [name, pid] of Object.entries(this.pids)) {
      const now = processMemory(pid);
      if (!now) continue;
      const seen = this.figures.get(name);
      if (!seen)
        this.figures.set(name, { startRss: now.rss, peakRss: now.rss, hwm: now.hwm, lastRss: now.rss });
      else {
        seen.peakRss = Math.max(seen.peakRss, now.rss);
        seen.hwm = now.hwm;
        seen.lastRss = now.rss;
      }
    }
  }

  /** The figures so far, by process name (absent where procfs told nothing). */
  current(name: string): MemoryFigures | undefined {
    return this.figures.get(name);
  }

  /** Takes a last sample and stops; returns the figures by process name. */
  stop(): Map<string, MemoryFigures> {
    clearInterval(this.timer);
    this.sample();
    return this.figures;
  }
}

/** Bytes as whole megabytes (MiB). */
export const mb = (bytes: number | undefined): string =>
  bytes === undefined ? '-' : `${(bytes / 1024 / 1024).toFixed(0)} MB`;
