import { InputError } from '@mathnet/kit';
import type { EventHandler, SubscribeOptions } from './event-bus';

/** Defaults shared by both transports, so a subscription behaves the same on either. */
export const DEFAULT_PREFETCH = 16;
export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1000, 5000, 30000, 120000];

/** {@link SubscribeOptions} with every default applied and checked. */
export interface SubscriptionSettings {
  group: string;
  patterns: string[];
  handler: EventHandler;
  prefetch: number;
  maxAttempts: number;
  retryDelaysMs: number[];
  singleActiveConsumer: boolean;
}

/** Applies defaults and rejects options that could never work, naming what arrived. */
export function subscriptionSettings(options: SubscribeOptions): SubscriptionSettings {
  const { group, patterns, handler } = options;
  const prefetch = options.prefetch ?? DEFAULT_PREFETCH;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const retryDelaysMs = [...(options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS)];
  if (typeof group !== 'string' || group.trim() === '') {
    throw new InputError(`subscribe: group must be a non-empty string; got ${JSON.stringify(group)}`);
  }
  if (
    !Array.isArray(patterns) ||
    patterns.length === 0 ||
    patterns.some((p) => typeof p !== 'string' || !p)
  ) {
    throw new InputError(
      `subscribe(${group}): patterns must be non-empty strings; got ${JSON.stringify(patterns)}`,
    );
  }
  if (typeof handler !== 'function') throw new InputError(`subscribe(${group}): handler must be a function`);
  if (!Number.isInteger(prefetch) || prefetch < 1 || prefetch > 65535) {
    throw new InputError(`subscribe(${group}): prefetch must be an integer 1..65535; got ${prefetch}`);
  }
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new InputError(`subscribe(${group}): maxAttempts must be an integer >= 1; got ${maxAttempts}`);
  }
  if (retryDelaysMs.length === 0 || retryDelaysMs.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new InputError(
      `subscribe(${group}): retryDelaysMs must be positive integers; got ${JSON.stringify(retryDelaysMs)}`,
    );
  }
  const singleActiveConsumer = options.singleActiveConsumer ?? false;
  return {
    group,
    patterns: [...patterns],
    handler,
    prefetch,
    maxAttempts,
    retryDelaysMs,
    singleActiveConsumer,
  };
}

/** The delay before the retry that follows failed attempt `attempt` (1-based); the last value repeats. */
export function retryDelayFor(settings: SubscriptionSettings, attempt: number): number {
  const delays = settings.retryDelaysMs;
  return delays[Math.min(attempt - 1, delays.length - 1)]!;
}

/** Every distinct delay a subscription can use before its attempts run out (one retry queue each). */
export function retryDelaysInUse(settings: SubscriptionSettings): number[] {
  const delays = new Set<number>();
  for (let attempt = 1; attempt < settings.maxAttempts; attempt++)
    delays.add(retryDelayFor(settings, attempt));
  return [...delays];
}

/** The text kept with a dead letter: the error's message (bounded, it travels in a message header). */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}
