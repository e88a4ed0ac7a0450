// The Prometheus endpoint, mounted on the HTTP server Volley shares its port with, scraped
// over HTTP and parsed as the text exposition format.
import { createServer as createHttpServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '@volley/client';
import { initVolley, VolleyError } from '@volley/core';
import { createPrometheusObserver, PROMETHEUS_CONTENT_TYPE } from '@volley/otel/prometheus';
import { createPubSub } from '@volley/server';
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { deferred, type Harness, startHarness, within } from '../../tests/test/helpers/harness.js';

const events = createPubSub<{ [topic: `room:${string}`]: string }>();
const v = initVolley();
const router = v.router({
  greet: v.procedure.input(z.string()).query(({ input }) => `Hello, ${input}`),
  fail: v.procedure.query(() => {
    throw new VolleyError({ code: 'NOT_FOUND' });
  }),
  room: v.procedure
    .input(z.string())
    .subscription(({ input, signal }) => events.subscribe(`room:${input}`, { signal })),
});

let harness: Harness<typeof router> | undefined;
let http: Server | undefined;

afterEach(async () => {
  await harness?.close();
  await new Promise((resolve) => http?.close(resolve));
});

/** One sample of the exposition: name, labels, value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the text exposition format (0.0.4): comments, then `name{labels} value` lines. */
function parse(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram)$/.exec(line);
    if (type) {
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    if (line.startsWith('# HELP ')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`Not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] as string] = (pair[2] as string).replace(/\\(.)/g, (_, c) =>
        c === 'n' ? '\n' : c,
      );
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return { samples, types };
}

function scrape(port: number): Promise<{ type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    get(`http://127.0.0.1:${port}/metrics`, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve({ type: response.headers['content-type'], body }));
    }).on('error', reject);
  });
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted),
  )?.value;

it('serves the metrics on the server’s own HTTP port, in the text format, moving with the server', async () => {
  harness = await startHarness({ router });
  const { server } = harness;
  const prometheus = createPrometheusObserver({ server });
  server.observe(prometheus.observer);
  http = createHttpServer((request, response) => {
    if (request.url === '/metrics') prometheus.handler(request, response);
    else response.writeHead(404).end();
  });
  server.attach(http);
  await new Promise<void>((resolve) => http?.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;

  const before = parse((await scrape(port)).body).samples;
  expect(value(before, 'volley_connections_opened_total')).toBe(0);
  expect(value(before, 'volley_connections', { state: 'accepted' })).toBe(0);

  const client = createClient<typeof router>({ url: `ws://127.0.0.1:${port}`, WebSocket });
  try {
    expect(await client.greet.query('Ada')).toBe('Hello, Ada');
    await expect(client.fail.query()).rejects.toThrow();
    const started = deferred();
    const subscription = client.room.subscribe('lobby', { onStarted: () => started.resolve() });
    await within(started.promise, 'the subscription');

    const { type, body } = await scrape(port);
    expect(type).toBe(PROMETHEUS_CONTENT_TYPE);
    const { samples, types } = parse(body);
    expect(types.get('volley_call_duration_seconds')).toBe('histogram');
    expect(types.get('volley_calls_total')).toBe('counter');
    expect(types.get('volley_connections')).toBe('gauge');
    expect(value(samples, 'volley_connections_opened_total')).toBe(1);
    expect(value(samples, 'volley_connections_accepted_total')).toBe(1);
    expect(value(samples, 'volley_connections', { state: 'accepted' })).toBe(1);
    expect(value(samples, 'volley_calls_total', { method: 'greet', outcome: 'ok' })).toBe(1);
    expect(value(samples, 'volley_calls_total', { method: 'fail', outcome: 'NOT_FOUND' })).toBe(1);
    expect(
      value(samples, 'volley_call_duration_seconds_count', { method: 'greet', outcome: 'ok' }),
    ).toBe(1);
    expect(
      value(samples, 'volley_call_duration_seconds_bucket', {
        method: 'greet',
        outcome: 'ok',
        le: '+Inf',
      }),
    ).toBe(1);
    expect(value(samples, 'volley_subscriptions_opened_total', { method: 'room' })).toBe(1);
    expect(value(samples, 'volley_topic_subscriptions', { topic: 'room:lobby' })).toBe(1);
    expect(value(samples, 'volley_bytes_total', { direction: 'in' })).toBeGreaterThan(0);
    expect(value(samples, 'volley_bytes_total', { direction: 'out' })).toBeGreaterThan(0);
    subscription.unsubscribe();
  } finally {
    await client.$close();
  }
  await server.close();
  const after = parse((await scrape(port)).body).samples;
  expect(value(after, 'volley_connections_closed_total', { code: '1000' })).toBe(1);
  expect(value(after, 'volley_connections', { state: 'accepted' })).toBe(0);
});

it('escapes label values', () => {
  const prometheus = createPrometheusObserver();
  prometheus.observer.limitHit?.('rateLimit', undefined);
  const end = prometheus.observer.callStarted?.({
    connectionId: 'c',
    path: 'we"ird\\path\nname',
    type: 'query',
    trace: undefined,
  });
  end?.({ ok: true }, 2);
  const { samples } = parse(prometheus.metrics());
  expect(value(samples, 'volley_calls_total', { method: 'we"ird\\path\nname' })).toBe(1);
  expect(value(samples, 'volley_limit_hits_total', { limit: 'rateLimit' })).toBe(1);
});
