// PLACEHOLDER written by the lead so the service starts while helper-6 writes the real paths; replace this file whole.
import type { OpenAPIRegistry } from '@mathnet/kit';

export function registerRoutePaths(_registry: OpenAPIRegistry): void {}
