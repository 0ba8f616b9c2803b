import type { ConnectorLogger, LmsSession, PulledPage } from '@mathnet/lms-sdk';
import moodleConnector from '../src/index';
import { type MoodleDoubleSeed, type RunningMoodleDouble, startMoodleDouble } from '../test-double/index';

/** A logger that keeps what was logged. */
export function memoryLogger() {
  const lines: { level: string; message: string; details?: Record<string, unknown> }[] = [];
  const logger: ConnectorLogger = {
    debug: (message, details) => lines.push({ level: 'debug', message, details }),
    info: (message, details) => lines.push({ level: 'info', message, details }),
    warn: (message, details) => lines.push({ level: 'warn', message, details }),
  };
  return { lines, logger };
}

/** A running double and a session connected to it. */
export interface Connected {
  double: RunningMoodleDouble;
  session: LmsSession;
  logs: ReturnType<typeof memoryLogger>['lines'];
}

/** Starts a double with `seed` and connects the Moodle connector to it. */
export async function connect(
  seed: MoodleDoubleSeed,
  token: string,
  settings: Record<string, unknown> = {},
): Promise<Connected> {
  const double = await startMoodleDouble(seed);
  const { lines, logger } = memoryLogger();
  const session = moodleConnector.connect({
    settings: moodleConnector.settingsSchema.parse({ baseUrl: double.url, ...settings }),
    secrets: { token },
    logger,
  });
  return { double, session, logs: lines };
}

/** Runs a pull to the end and gathers records and rejected entries per entity type. */
export async function collect(pages: AsyncIterable<PulledPage>) {
  const records: Record<string, Record<string, unknown>[]> = {};
  const rejected: Record<string, { sourcedId?: string; reason: string }[]> = {};
  const pageCounts: Record<string, number> = {};
  for await (const page of pages) {
    records[page.entity] = [
      ...(records[page.entity] ?? []),
      ...(page.records as unknown as Record<string, unknown>[]),
    ];
    rejected[page.entity] = [...(rejected[page.entity] ?? []), ...page.rejected];
    pageCounts[page.entity] = (pageCounts[page.entity] ?? 0) + 1;
  }
  return { records, rejected, pageCounts };
}

export const signal = () => new AbortController().signal;

/** Calls of one web service function the double received. */
export function callsOf(double: RunningMoodleDouble, wsfunction: string) {
  return double.state.calls.filter((c) => c.wsfunction === wsfunction);
}
