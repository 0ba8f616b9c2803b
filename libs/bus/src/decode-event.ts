import { type CloudEvent, cloudEventSchema } from '@mathnet/contracts';
import { InputError } from '@mathnet/kit';

/**
 * Checks what publish needs to route an event (a string `id` and `type`); the full
 * CloudEvent check happens on delivery, where a bad event is dead-lettered.
 */
export function assertRoutable(event: CloudEvent): void {
  const { id, type } = (event ?? {}) as Partial<CloudEvent>;
  if (typeof id !== 'string' || id === '' || typeof type !== 'string' || type === '') {
    throw new InputError(
      `publish: each event needs a non-empty string id and type; got id ${JSON.stringify(id)}, type ${JSON.stringify(type)}`,
    );
  }
}

/** The outcome of reading a message body: a CloudEvent, or why it is not one. */
export type DecodedEvent = { ok: true; event: CloudEvent } | { ok: false; error: string };

/**
 * Parses a body as a CloudEvents 1.0 JSON envelope. The handler gets the parsed
 * object itself (extension attributes kept); the schema only decides validity.
 */
export function decodeEvent(body: string): DecodedEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    return { ok: false, error: `invalid CloudEvent: body is not JSON (${(error as Error).message})` };
  }
  const result = cloudEventSchema.safeParse(parsed);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    return { ok: false, error: `invalid CloudEvent: ${issues}` };
  }
  return { ok: true, event: parsed as CloudEvent };
}

/** Type of the stand-in event shown for a dead letter whose body was not a CloudEvent. */
export const UNDECODABLE_EVENT_TYPE = 'mathnet.bus.undecodable';

/**
 * A dead letter's event: the CloudEvent in the body, or, when the body is not one,
 * a stand-in of type {@link UNDECODABLE_EVENT_TYPE} whose `data.body` is the raw text
 * (so an operator can still see what arrived).
 */
export function deadLetterEvent(body: string, messageId: string | undefined, deadAt: string): CloudEvent {
  const decoded = decodeEvent(body);
  if (decoded.ok) return decoded.event;
  return {
    specversion: '1.0',
    id: messageId ?? `undecodable-${deadAt}`,
    source: '/mathnet/bus',
    type: UNDECODABLE_EVENT_TYPE,
    time: deadAt,
    datacontenttype: 'application/json',
    data: { body: body.length > 10000 ? `${body.slice(0, 10000)}…` : body },
  };
}
