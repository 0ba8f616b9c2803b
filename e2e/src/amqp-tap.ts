import amqp, { type ChannelModel, type ConsumeMessage } from 'amqplib';

/** A message seen on the tap: the decoded JSON body plus the AMQP fields a test checks. */
export interface TappedMessage {
  routingKey: string;
  exchange: string;
  contentType: string | undefined;
  body: Record<string, unknown>;
}

/** A private queue bound to an exchange, recording what arrives. */
export interface AmqpTap {
  /** The server-named, exclusive, auto-delete queue. */
  queue: string;
  /** Every message so far, in arrival order. */
  messages(): TappedMessage[];
  /**
   * Resolves with the first message (already arrived or arriving later) that
   * matches; rejects after `timeoutMs` (default 15 s) naming what did arrive.
   */
  waitFor(match: (message: TappedMessage) => boolean, timeoutMs?: number): Promise<TappedMessage>;
  /** Deletes the queue and closes the connection. */
  close(): Promise<void>;
}

/** Where and what to listen to. */
export interface AmqpTapOptions {
  /** Topic exchange, e.g. `mathnet.events`; declared with the bus's own arguments (durable topic). */
  exchange: string;
  /** Binding pattern, e.g. `mathnet.registry.#`. */
  pattern: string;
}

/**
 * Listens to an exchange the way a new consumer would, without disturbing any
 * other: its own exclusive, auto-delete queue, bound before the test acts, so
 * nothing published afterwards can be missed.
 */
export async function tapExchange(url: string, options: AmqpTapOptions): Promise<AmqpTap> {
  const connection: ChannelModel = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    await channel.assertExchange(options.exchange, 'topic', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    await channel.bindQueue(queue, options.exchange, options.pattern);

    const seen: TappedMessage[] = [];
    const waiters = new Set<{ match: (m: TappedMessage) => boolean; resolve: (m: TappedMessage) => void }>();
    await channel.consume(
      queue,
      (message: ConsumeMessage | null) => {
        if (!message) return;
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(message.content.toString('utf8')) as Record<string, unknown>;
        } catch {
          body = { undecodable: message.content.toString('utf8').slice(0, 500) };
        }
        const tapped: TappedMessage = {
          routingKey: message.fields.routingKey,
          exchange: message.fields.exchange,
          contentType:
            typeof message.properties.contentType === 'string' ? message.properties.contentType : undefined,
          body,
        };
        seen.push(tapped);
        for (const waiter of waiters) {
          if (waiter.match(tapped)) {
            waiters.delete(waiter);
            waiter.resolve(tapped);
          }
        }
      },
      { noAck: true },
    );

    return {
      queue,
      messages: () => [...seen],
      waitFor(match, timeoutMs = 15_000) {
        const already = seen.find(match);
        if (already) return Promise.resolve(already);
        return new Promise((resolve, reject) => {
          const waiter = {
            match,
            resolve: (m: TappedMessage) => {
              clearTimeout(timer);
              resolve(m);
            },
          };
          const timer = setTimeout(() => {
            waiters.delete(waiter);
            const arrived =
              seen.map((m) => `${m.routingKey} ${String(m.body.subject ?? '')}`).join(', ') || 'nothing';
            reject(new Error(`no matching message on ${queue} within ${timeoutMs} ms; arrived: ${arrived}`));
          }, timeoutMs);
          waiters.add(waiter);
        });
      },
      async close() {
        await channel.deleteQueue(queue).catch(() => undefined);
        await connection.close().catch(() => undefined);
      },
    };
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
}
