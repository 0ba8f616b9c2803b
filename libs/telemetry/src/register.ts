/**
 * Load with `node --import tsx --import @mathnet/telemetry/register <main>`: registers
 * the ESM instrumentation hook and starts the SDK before the app is imported. Without
 * the hook, ESM imports of express and ioredis are never patched.
 */
import { register } from 'node:module';

if (process.env.OTEL_SDK_DISABLED?.trim().toLowerCase() !== 'true') {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  // Imported after the hook is in place, so the SDK and what it loads are seen by it too.
  const { startTelemetry } = await import('./start-telemetry');
  startTelemetry();
}
