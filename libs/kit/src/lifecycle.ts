import type { Logger } from 'pino';

/** Something with a lifecycle end: a pool, a bus, a server. */
export interface Closable {
  close(): Promise<void> | void;
}

/**
 * Resources registered in start order and closed in reverse order, once, on
 * `close()` or on SIGTERM/SIGINT.
 */
export class Lifecycle {
  private readonly resources: { name: string; resource: Closable }[] = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  /** Registers a resource; returns it so construction and registration read as one line. */
  add<T extends Closable>(name: string, resource: T): T {
    this.resources.push({ name, resource });
    return resource;
  }

  /** Closes everything in reverse order; errors are logged and do not stop the others. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const { name, resource } of [...this.resources].reverse()) {
        try {
          await resource.close();
          this.logger.debug({ resource: name }, 'closed');
        } catch (error) {
          this.logger.error({ err: error, resource: name }, 'close failed');
        }
      }
    })();
    return this.closing;
  }

  /** Closes on SIGTERM/SIGINT, then exits; a second signal exits at once. */
  handleSignals(): void {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) process.exit(130);
      signalled = true;
      this.logger.info({ signal }, 'shutting down');
      const force = setTimeout(() => process.exit(1), 15_000);
      force.unref();
      void this.close().then(() => process.exit(0));
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
}
