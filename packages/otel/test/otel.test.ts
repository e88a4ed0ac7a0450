// The OpenTelemetry adapter over real sockets, asserted through the SDK's in-memory
// exporters: a span per call (child of the client's span when it sent trace context) and
// the metrics moving as the server works.

import { context, trace } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createClient } from '@volley/client';
import { initVolley, VolleyError } from '@volley/core';
import { createOtelObserver, traceContextOf } from '@volley/otel';
import { createPubSub } from '@volley/server';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { z } from 'zod';
import { deferred, type Harness, startHarness, within } from '../../tests/test/helpers/harness.js';

const events = createPubSub<{ news: string }>();
const v = initVolley();
const router = v.router({
  greet: v.procedure.input(z.string()).query(({ input }) => `Hello, ${input}`),
  fail: v.procedure.mutation(() => {
    throw new VolleyError({ code: 'FORBIDDEN', message: 'No' });
  }),
  news: v.procedure.subscription(({ signal }) => events.subscribe('news', { signal })),
});

let harness: Harness<typeof router>;
let spans: InMemorySpanExporter;
let tracerProvider: BasicTracerProvider;
let metricExporter: InMemoryMetricExporter;
let reader: PeriodicExportingMetricReader;
let meterProvider: MeterProvider;

beforeEach(async () => {
  spans = new InMemorySpanExporter();
  tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // Exported only when the test asks (forceFlush): the interval never fires in a test.
  reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  meterProvider = new MeterProvider({ readers: [reader] });
  harness = await startHarness({
    router,
    observer: createOtelObserver({
      meter: meterProvider.getMeter('test'),
      tracer: tracerProvider.getTracer('test'),
    }),
  });
});

afterEach(async () => {
  await harness.close();
  await meterProvider.shutdown();
  await tracerProvider.shutdown();
});

/** The latest value of each data point of metric `name`, with its attributes. */
async function points(name: string): Promise<Array<{ attributes: object; value: unknown }>> {
  await reader.forceFlush();
  const exported: ResourceMetrics[] = metricExporter.getMetrics();
  const last = exported.at(-1);
  const metric = last?.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .find((candidate) => candidate.descriptor.name === name);
  return (metric?.dataPoints ?? []).map((point) => ({
    attributes: point.attributes,
    value: point.value,
  }));
}

it('makes a SERVER span per call, a child of the span the client sent', async () => {
  const clientTracer = tracerProvider.getTracer('client');
  const parent = clientTracer.startSpan('client call');
  const volley = createClient<typeof router>({
    url: harness.url,
    WebSocket: harness.WebSocket,
    // The client's active span, as W3C trace context, with each call.
    trace: () => traceContextOf(parent.spanContext()),
  });
  try {
    expect(await volley.greet.query('Ada')).toBe('Hello, Ada');
    await expect(volley.fail.mutate()).rejects.toThrow('No');
  } finally {
    await volley.$close();
  }
  parent.end();
  const [greet, fail] = spans.getFinishedSpans().filter((span) => span.name !== 'client call');
  expect(greet?.name).toBe('greet');
  expect(greet?.kind).toBe(1); // SpanKind.SERVER
  expect(greet?.spanContext().traceId).toBe(parent.spanContext().traceId);
  expect(greet?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
  expect(greet?.attributes).toMatchObject({ 'rpc.system': 'jsonrpc', 'rpc.method': 'greet' });
  expect(greet?.status.code).toBe(0); // UNSET
  expect(fail?.status).toMatchObject({ code: 2, message: 'FORBIDDEN' });
  expect(fail?.attributes).toMatchObject({ 'rpc.jsonrpc.error_code': -32003 });
});

it('makes a root span for a call without trace context', async () => {
  const volley = harness.client();
  await context.with(context.active(), () => volley.greet.query('Bob'));
  const [span] = spans.getFinishedSpans();
  expect(span?.name).toBe('greet');
  expect(span?.parentSpanContext).toBeUndefined();
  expect(trace.getActiveSpan()).toBeUndefined();
});

it('records call durations, connections, subscriptions, events and bytes', async () => {
  const volley = harness.client();
  await volley.greet.query('Ada');
  await expect(volley.fail.mutate()).rejects.toThrow();
  const durations = await points('rpc.server.duration');
  expect(durations.map((point) => point.attributes)).toEqual([
    { 'rpc.system': 'jsonrpc', 'rpc.method': 'greet' },
    { 'rpc.system': 'jsonrpc', 'rpc.method': 'fail', 'rpc.jsonrpc.error_code': -32003 },
  ]);
  expect(durations[0]?.value).toMatchObject({ count: 1 });
  expect(await points('volley.connections.active')).toEqual([{ attributes: {}, value: 1 }]);

  const got = deferred<string>();
  const started = deferred();
  const subscription = volley.news.subscribe(undefined, {
    onStarted: () => started.resolve(),
    onData: (data) => got.resolve(data),
  });
  await within(started.promise, 'the subscription');
  expect(await points('volley.subscriptions.active')).toEqual([
    { attributes: { 'rpc.method': 'news' }, value: 1 },
  ]);
  await events.publish('news', 'extra');
  await within(got.promise, 'the event');
  expect(await points('volley.events.delivered')).toEqual([
    { attributes: { 'rpc.method': 'news' }, value: 1 },
  ]);
  subscription.unsubscribe();
  const io = await points('volley.io');
  expect(io.map((point) => point.attributes)).toEqual(
    expect.arrayContaining([{ 'volley.io.direction': 'in' }, { 'volley.io.direction': 'out' }]),
  );
  for (const point of io) expect(point.value).toBeGreaterThan(0);
  await volley.$close();
  await harness.server.close();
  expect(await points('volley.connections.closed')).toEqual([
    { attributes: { 'volley.close.code': 1000 }, value: 1 },
  ]);
  expect(await points('volley.connections.active')).toEqual([{ attributes: {}, value: 0 }]);
});
