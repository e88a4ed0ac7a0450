// @volley/otel: OpenTelemetry metrics and traces for a Volley server, from its observer
// API. The Prometheus text endpoint, which needs no OpenTelemetry, is `@volley/otel/prometheus`.

export { activeTraceContext, traceContextOf } from './client-trace.js';
export {
  createOtelObserver,
  DEFAULT_DURATION_BUCKETS_MS,
  INSTRUMENTATION_NAME,
  type OtelObserverOptions,
  parentContext,
} from './otel-observer.js';
