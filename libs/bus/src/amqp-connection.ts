import type { Socket } from 'node:net';
import type { Logger } from '@mathnet/kit';
import { type ChannelModel, connect } from 'amqplib';

/** First and largest reconnect delay; jitter spreads a fleet's reconnects after a broker restart. */
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 10_000;

/** Called after every successful (re)connect; a rejection drops the connection and retries. */
export type OnConnected = (model: ChannelModel) => Promise<void>;

/**
 * One AMQP connection that comes back by itself: when it closes or errors (other
 * than through {@link close}), it reconnects with exponential backoff and jitter
 * (100 ms doubling to 10 s) and runs `onConnected` again, which re-declares the
 * topology and restarts consumers. `ready` is true only between a finished
 * `onConnected` and the next drop.
 */
export class AmqpConnection {
  private model: ChannelModel | undefined;
  private isReady = false;
  private closing = false;
  private failures = 0;
  private downUntil = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly dropWaiters = new Set<() => void>();

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
    private readonly onConnected: OnConnected,
  ) {}

  /** The live connection, when there is one (not necessarily ready). */
  get current(): ChannelModel | undefined {
    return this.model;
  }

  get ready(): boolean {
    return this.isReady && !this.closing;
  }

  /** The first connection: rejects when the broker cannot be reached (start-up should fail loudly). */
  async start(): Promise<void> {
    const model = await this.open();
    try {
      await this.onConnected(model);
      this.isReady = this.model === model;
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  /**
   * Destroys the socket as a network failure would, and keeps every reconnect
   * attempt from succeeding before `downForMs` has passed. Resolves once the drop
   * has been noticed (publish rejects from then on).
   */
  async interrupt(downForMs: number): Promise<void> {
    this.downUntil = Date.now() + downForMs;
    const model = this.model;
    this.isReady = false;
    if (!model) return;
    const dropped = new Promise<void>((resolve) => this.dropWaiters.add(resolve));
    const socket = (model.connection as unknown as { stream?: Socket }).stream;
    this.logger.warn({ downForMs }, 'event bus: interrupting the AMQP connection (fault injection)');
    if (socket) socket.destroy(new Error(`connection interrupted for ${downForMs} ms (fault injection)`));
    else await model.close().catch(() => {});
    await dropped;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.isReady = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const model = this.model;
    this.model = undefined;
    if (model) await model.close().catch(() => {});
  }

  private async open(): Promise<ChannelModel> {
    const model = await connect(this.url, { clientProperties: { connection_name: 'mathnet-bus' } });
    model.on('error', (error: Error) => this.logger.warn({ err: error }, 'event bus: AMQP connection error'));
    model.on('handler-error', (error: Error, event: string) =>
      this.logger.error({ err: error, event }, 'event bus: AMQP connection listener threw'),
    );
    model.on('blocked', (reason: string) =>
      this.logger.warn({ reason }, 'event bus: broker blocked publishing'),
    );
    model.on('unblocked', () => this.logger.info('event bus: broker unblocked publishing'));
    model.on('close', () => this.onClose(model));
    this.model = model;
    return model;
  }

  private onClose(model: ChannelModel): void {
    if (this.model !== model) return;
    this.model = undefined;
    this.isReady = false;
    for (const resolve of this.dropWaiters) resolve();
    this.dropWaiters.clear();
    if (this.closing) return;
    this.logger.warn('event bus: AMQP connection lost; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closing || this.reconnectTimer) return;
    const base = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.failures);
    // "Equal jitter": half fixed, half random, so the delay still grows but reconnects do not align.
    const backoff = base / 2 + Math.random() * (base / 2);
    const delay = Math.max(backoff, this.downUntil - Date.now());
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.reconnect();
    }, delay);
  }

  private async reconnect(): Promise<void> {
    if (this.closing) return;
    if (Date.now() < this.downUntil) {
      // interrupt() was called again while down: the outage lasts until its new end.
      this.scheduleReconnect();
      return;
    }
    let model: ChannelModel | undefined;
    try {
      model = await this.open();
      if (this.closing) {
        await model.close().catch(() => {});
        return;
      }
      await this.onConnected(model);
      if (this.model !== model || this.closing) return;
      this.isReady = true;
      this.failures = 0;
      this.logger.info('event bus: AMQP connection restored');
    } catch (error) {
      this.failures++;
      this.logger.warn({ err: error, failures: this.failures }, 'event bus: AMQP reconnect failed');
      if (model && this.model === model) {
        // Connected but setup failed: drop it; onClose schedules the next attempt.
        await model.close().catch(() => {});
        if (this.model === model) this.onClose(model);
      } else {
        this.scheduleReconnect();
      }
    }
  }
}
