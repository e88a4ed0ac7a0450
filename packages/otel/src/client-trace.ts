// The client side of trace propagation: the W3C trace context of a span, for the
// client's `trace` option, so that the server's span of each call joins the caller's trace.
import { isSpanContextValid, type SpanContext, trace } from '@opentelemetry/api';
import type { TraceContext } from '@volley/server';

/**
 * A span's W3C trace context (`traceparent`, and `tracestate` when it has one);
 * `undefined` for an invalid span context (a no-op tracer's).
 */
export function traceContextOf(spanContext: SpanContext): TraceContext | undefined {
  if (!isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  const traceparent = `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
  const tracestate = spanContext.traceState?.serialize();
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

/**
 * The active span's W3C trace context, or `undefined` when no span is active: pass it as
 * the client's `trace` option, `createClient({ url, trace: activeTraceContext })`.
 */
export function activeTraceContext(): TraceContext | undefined {
  const span = trace.getActiveSpan();
  return span === undefined ? undefined : traceContextOf(span.spanContext());
}
