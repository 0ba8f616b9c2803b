/** Prints one line to stdout. */
export const say = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

/** Undo steps (stop a process, drop a database), run once, last added first. */
export class CleanupStack {
  private readonly steps: { label: string; undo: () => Promise<unknown> }[] = [];
  private running: Promise<void> | undefined;

  /** Registers an undo step; add it right after the thing it undoes exists. */
  add(label: string, undo: () => Promise<unknown>): void {
    this.steps.push({ label, undo });
  }

  /** Runs every step in reverse order, once; a failing step is reported and the others still run. */
  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step.undo();
        } catch (error) {
          say(`cleanup: ${step.label} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })();
    return this.running;
  }
}

/** What a bench's main function gets. */
export interface BenchContext {
  /** Aborted on Ctrl-C / SIGTERM: stop loading and return. */
  signal: AbortSignal;
  cleanup: CleanupStack;
}

/**
 * Runs a bench script: `main` returns the exit code; an error prints its message (and
 * `onError`'s extra lines, e.g. the services' output) and exits 1; Ctrl-C or SIGTERM
 * aborts the signal, cleans up at once and exits 130 (a second Ctrl-C exits at once).
 * The cleanup stack runs in every case before the process exits.
 */
export async function runBench(
  main: (context: BenchContext) => Promise<number>,
  onError?: () => string | undefined,
): Promise<never> {
  const controller = new AbortController();
  const cleanup = new CleanupStack();
  let interrupted = false;
  const interrupt = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    say(`\n${signal}: stopping the services, dropping the databases (again to quit at once)`);
    controller.abort();
    void cleanup.run().then(() => process.exit(130));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  let code = 1;
  try {
    code = await main({ signal: controller.signal, cleanup });
  } catch (error) {
    if (!interrupted) {
      say(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      const extra = onError?.();
      if (extra) say(extra);
    }
  }
  await cleanup.run();
  process.exit(interrupted ? 130 : code);
}
