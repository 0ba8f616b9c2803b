export { AmqpEventBus, type AmqpEventBusOptions } from './amqp-event-bus';
export { type CreateEventBusOptions, createEventBus, DEFAULT_EXCHANGE } from './create-event-bus';
export { UNDECODABLE_EVENT_TYPE } from './decode-event';
export {
  BusUnavailableError,
  type DeadLetter,
  type DeliveryContext,
  type EventBus,
  type EventHandler,
  PermanentError,
  type SubscribeOptions,
  type Subscription,
} from './event-bus';
export {
  type EventRecorder,
  type RecordEventsOptions,
  type RecordedDelivery,
  recordEvents,
} from './event-recorder';
export { MemoryEventBus, type MemoryEventBusOptions } from './memory-event-bus';
export { type Handled, type HandlingOutcome, observeHandling } from './observe-handling';
export { OrderedOverlap } from './ordered-overlap';
export { DEFAULT_MAX_ATTEMPTS, DEFAULT_PREFETCH, DEFAULT_RETRY_DELAYS_MS } from './subscription-settings';
export { compileTopicPattern, topicMatches } from './topic-pattern';
export { formatTraceparent, parseTraceparent, runInEventContext, withTraceContext } from './trace-context';
