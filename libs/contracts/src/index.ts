import type { z } from 'zod';
import { consentEvents } from './consent-events';
import { coursesEvents } from './courses-events';
import { lmsEvents } from './lms-events';
import { registryEvents } from './registry-events';

export { type CloudEvent, cloudEventSchema, createEvent, type NewEvent } from './cloud-event';
export * from './consent-events';
export * from './courses-events';
export * from './lms-events';
export * from './registry-events';

/** Every event type of the network and the zod schema of its `data`. Add, never break. */
export const eventDataSchemas = {
  ...registryEvents,
  ...consentEvents,
  ...coursesEvents,
  ...lmsEvents,
} as const;

export type EventType = keyof typeof eventDataSchemas;
export type EventData<T extends EventType> = z.infer<(typeof eventDataSchemas)[T]>;

/** True when `type` is a known event type of the network. */
export function isKnownEventType(type: string): type is EventType {
  return Object.hasOwn(eventDataSchemas, type);
}
