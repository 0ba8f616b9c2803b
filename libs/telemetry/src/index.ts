export { currentTraceIds } from './current-trace-ids';
export { type StartTelemetryOptions, startTelemetry, type Telemetry } from './start-telemetry';
