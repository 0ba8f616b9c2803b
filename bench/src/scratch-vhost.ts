import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A RabbitMQ virtual host made for one run, or the shared one when none could be made. */
export interface ScratchVhost {
  /** The AMQP URL to give the services (with the vhost as its path). */
  url: string;
  /** Its name; undefined when the run shares the broker's vhost of `amqpUrl`. */
  name: string | undefined;
  /** Deletes the vhost with its exchanges and queues (idempotent; nothing when shared). */
  drop(): Promise<void>;
}

async function rabbitmqctl(...args: string[]): Promise<void> {
  await run('rabbitmqctl', ['-q', ...args], { timeout: 30_000 });
}

/**
 * A fresh vhost on the broker of `amqpUrl`, made with `rabbitmqctl` (the services take
 * no exchange or queue prefix from their config, so a vhost is the one way to keep a
 * bench's durable queues, e.g. `courses.registry-read-model`, and its thousands of
 * events away from other processes on the same broker). Where `rabbitmqctl` is missing
 * or refuses (another host, no rights), the run shares `amqpUrl` and `note` says so.
 */
export async function createScratchVhost(
  amqpUrl: string,
  label: string,
  note: (line: string) => void,
): Promise<ScratchVhost> {
  const url = new URL(amqpUrl);
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(url.hostname);
  const name = `${label.replace(/[^a-z0-9_]+/gi, '_')}_${randomBytes(5).toString('hex')}`;
  if (local) {
    try {
      await rabbitmqctl('add_vhost', name);
      await rabbitmqctl(
        'set_permissions',
        '-p',
        name,
        decodeURIComponent(url.username) || 'guest',
        '.*',
        '.*',
        '.*',
      );
      url.pathname = `/${name}`;
      let dropped = false;
      return {
        url: url.toString(),
        name,
        drop: async () => {
          if (dropped) return;
          dropped = true;
          await rabbitmqctl('delete_vhost', name);
        },
      };
    } catch (error) {
      await rabbitmqctl('delete_vhost', name).catch(() => undefined);
      note(`no scratch vhost (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
    }
  }
  note(
    `sharing the broker's vhost of ${url.host}: other consumers of courses' queues there compete with this run`,
  );
  return { url: amqpUrl, name: undefined, drop: async () => undefined };
}
