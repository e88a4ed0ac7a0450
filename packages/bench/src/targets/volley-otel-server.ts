// Volley's server with the OpenTelemetry adapter on: the SDK's meter (read by an in-memory
// exporter that the bench never asks) and tracer (every span ended and batched, as in
// production, to an exporter that drops it), so the figure is the adapter's and the SDK's
// cost per call.

import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { createOtelObserver } from '@volley/otel';
import { createServer } from '@volley/server';
import type { BenchServer } from './target.js';
import { events, listening, volleyRouter } from './volley-router.js';

/** Takes every span and keeps none. */
const discard: SpanExporter = {
  export(_spans: ReadableSpan[], done) {
    done({ code: 0 });
  },
  shutdown: async () => {},
};

export async function startVolleyOtelServer(): Promise<BenchServer> {
  const meterProvider = new MeterProvider({
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
        exportIntervalMillis: 3_600_000,
      }),
    ],
  });
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(discard)],
  });
  const server = createServer({
    router: volleyRouter,
    rateLimit: false,
    observer: createOtelObserver({
      meter: meterProvider.getMeter('bench'),
      tracer: tracerProvider.getTracer('bench'),
    }),
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    port,
    subscriberCount: () => listening.count,
    publish(event) {
      void events.publish('t', event);
    },
    async close() {
      await server.close();
      await Promise.all([meterProvider.shutdown(), tracerProvider.shutdown()]);
    },
  };
}
