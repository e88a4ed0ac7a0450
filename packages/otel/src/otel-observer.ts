// A Volley server observer that records OpenTelemetry metrics and a span per call, through
// `@opentelemetry/api` (an optional peer dependency: with no SDK registered, every
// instrument is a no-op). Spans are parented on the W3C trace context the client sent.
import {
  type Attributes,
  type Context,
  context,
  createTraceState,
  type Meter,
  metrics,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { CallOutcome, ObservedCall, ServerObserver, TraceContext } from '@volley/server';

/** The instrumentation scope name the adapter's meter and tracer use by default. */
export const INSTRUMENTATION_NAME = '@volley/otel';

/**
 * The histogram buckets of `rpc.server.duration`, in ms: from 0.5 ms to 10 s, as
 * OpenTelemetry's advice for RPC durations.
 */
export const DEFAULT_DURATION_BUCKETS_MS: readonly number[] = Object.freeze([
  0.5, 1, 2.5, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1_000, 2_500, 5_000, 7_500, 10_000,
]);

/** Options of {@link createOtelObserver}. */
export interface OtelObserverOptions {
  /** Where metrics go. Default `metrics.getMeter('@volley/otel')`; `false` records none. */
  meter?: Meter | false | undefined;
  /** Where spans go. Default `trace.getTracer('@volley/otel')`; `false` makes none. */
  tracer?: Tracer | false | undefined;
  /** See {@link DEFAULT_DURATION_BUCKETS_MS}. */
  durationBucketsMs?: readonly number[] | undefined;
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})/;

/**
 * The context a call's span starts in: the client's trace context when it sent one
 * (already checked for syntax by the server), else the active one.
 */
export function parentContext(sent: TraceContext | undefined): Context {
  if (sent === undefined) return context.active();
  const match = TRACEPARENT.exec(sent.traceparent);
  if (match === null) return context.active();
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16) & 1,
    isRemote: true,
    traceState: sent.tracestate === undefined ? undefined : createTraceState(sent.tracestate),
  });
}

/**
 * Makes an observer (pass it to `createServer({ observer })` or `server.observe()`, and
 * to `engine.observe?.()` for engine events) that records, with the OpenTelemetry API:
 *
 * - `rpc.server.duration` (histogram, ms), by `rpc.method` and `rpc.jsonrpc.error_code`
 *   (absent on success), with `rpc.system` `"jsonrpc"`;
 * - `volley.connections.opened`, `.accepted`, `.refused` (by `volley.refusal.reason`),
 *   `.closed` (by `volley.close.code`) counters, and `volley.connections.active` (up-down);
 * - `volley.subscriptions.active` (up-down, by `rpc.method`);
 * - `volley.events.delivered` and `volley.events.dropped` (by `rpc.method`);
 * - `volley.io` (bytes, by `volley.io.direction` `in`/`out`);
 * - `volley.backpressure.pauses`, `volley.limit.hits` (by `volley.limit`);
 * - `volley.engine.publish_failures` and `volley.engine.reconnections` (by `volley.engine`);
 *
 * and one `SERVER` span per query or mutation, named after its path, child of the
 * client's span when the call carried W3C trace context, with an error status when it
 * failed.
 */
export function createOtelObserver(options: OtelObserverOptions = {}): ServerObserver {
  const meter =
    options.meter === false ? undefined : (options.meter ?? metrics.getMeter(INSTRUMENTATION_NAME));
  const tracer =
    options.tracer === false
      ? undefined
      : (options.tracer ?? trace.getTracer(INSTRUMENTATION_NAME));
  const observer: ServerObserver = {};
  if (meter !== undefined) Object.assign(observer, meterObserver(meter, options));
  if (tracer !== undefined || meter !== undefined) {
    const duration = meter?.createHistogram('rpc.server.duration', {
      unit: 'ms',
      description: 'How long queries and mutations took, from their request to their answer',
      advice: {
        explicitBucketBoundaries: [...(options.durationBucketsMs ?? DEFAULT_DURATION_BUCKETS_MS)],
      },
    });
    // The attributes of a successful call's duration, made once per path.
    const okAttributes = new Map<string, Attributes>();
    observer.callStarted = (call: ObservedCall) => {
      const span = tracer?.startSpan(
        call.path,
        {
          kind: SpanKind.SERVER,
          attributes: {
            'rpc.system': 'jsonrpc',
            'rpc.method': call.path,
            'rpc.jsonrpc.version': '2.0',
            'volley.procedure.type': call.type,
            'volley.connection.id': call.connectionId,
          },
        },
        parentContext(call.trace),
      );
      return (outcome: CallOutcome, durationMs: number) => {
        if (duration !== undefined) {
          let attributes = outcome.ok ? okAttributes.get(call.path) : undefined;
          if (attributes === undefined) {
            attributes = { 'rpc.system': 'jsonrpc', 'rpc.method': call.path };
            if (!outcome.ok) attributes['rpc.jsonrpc.error_code'] = outcome.code;
            else okAttributes.set(call.path, attributes);
          }
          duration.record(durationMs, attributes);
        }
        if (span === undefined) return;
        if (!outcome.ok) {
          span.setAttribute('rpc.jsonrpc.error_code', outcome.code);
          span.setAttribute('volley.error.code', outcome.name);
          span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.name });
        }
        span.end();
      };
    };
  }
  return observer;
}

/** The members that only count. */
function meterObserver(meter: Meter, _options: OtelObserverOptions): ServerObserver {
  const opened = meter.createCounter('volley.connections.opened', {
    description: 'WebSocket connections opened',
  });
  const acceptedCount = meter.createCounter('volley.connections.accepted', {
    description: 'Connections accepted (their context was built)',
  });
  const refused = meter.createCounter('volley.connections.refused', {
    description: 'Connections turned away, by reason',
  });
  const closed = meter.createCounter('volley.connections.closed', {
    description: 'Connections closed, by close code',
  });
  const active = meter.createUpDownCounter('volley.connections.active', {
    description: 'Accepted connections open now',
  });
  const subscriptions = meter.createUpDownCounter('volley.subscriptions.active', {
    description: 'Subscriptions open now, by procedure',
  });
  const delivered = meter.createCounter('volley.events.delivered', {
    description: 'Subscription events written to clients',
  });
  const dropped = meter.createCounter('volley.events.dropped', {
    description: 'Topic events dropped for subscribers that fell behind',
  });
  const io = meter.createCounter('volley.io', {
    unit: 'By',
    description: 'Bytes of frames read (in) and written (out)',
  });
  const pauses = meter.createCounter('volley.backpressure.pauses', {
    description: 'Times a connection passed highWaterMark and reading it was paused',
  });
  const limits = meter.createCounter('volley.limit.hits', {
    description: 'Refusals by a limit, by limit',
  });
  const publishFailures = meter.createCounter('volley.engine.publish_failures', {
    description: 'Pub/sub publishes the engine could not make',
  });
  const reconnections = meter.createCounter('volley.engine.reconnections', {
    description: 'Times a pub/sub engine got its backing service back',
  });
  const IN = { 'volley.io.direction': 'in' };
  const OUT = { 'volley.io.direction': 'out' };
  return {
    connectionOpened: () => opened.add(1),
    connectionAccepted: () => {
      acceptedCount.add(1);
      active.add(1);
    },
    connectionRefused: (reason) => refused.add(1, { 'volley.refusal.reason': reason }),
    connectionClosed: (_connection, code, wasAccepted) => {
      closed.add(1, { 'volley.close.code': code });
      if (wasAccepted) active.add(-1);
    },
    subscriptionOpened: (_id, path) => subscriptions.add(1, { 'rpc.method': path }),
    subscriptionClosed: (_id, path) => subscriptions.add(-1, { 'rpc.method': path }),
    eventsDelivered: (_id, path, count) => delivered.add(count, { 'rpc.method': path }),
    eventsDropped: (_id, path, count) => dropped.add(count, { 'rpc.method': path }),
    bytes: (direction, count) => io.add(count, direction === 'in' ? IN : OUT),
    backpressurePaused: () => pauses.add(1),
    limitHit: (limit) => limits.add(1, { 'volley.limit': limit }),
    publishFailed: () => publishFailures.add(1),
    engineReconnected: (engine) => reconnections.add(1, { 'volley.engine': engine }),
  };
}
