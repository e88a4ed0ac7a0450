// @volley/otel/prometheus: a Volley server's metrics in the Prometheus text exposition
// format (version 0.0.4), with no dependency: an observer that counts, and a `(req, res)`
// handler that answers a scrape. Needs no OpenTelemetry.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerObserver, VolleyServer } from '@volley/server';

/** The `Content-Type` of the text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The buckets of `volley_call_duration_seconds`, in seconds: 0.5 ms to 10 s. */
export const DEFAULT_PROMETHEUS_BUCKETS: readonly number[] = Object.freeze([
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

/** Options of {@link createPrometheusObserver}. */
export interface PrometheusObserverOptions {
  /** Prefix of every metric name. Default `"volley_"`. */
  prefix?: string | undefined;
  /** See {@link DEFAULT_PROMETHEUS_BUCKETS}. */
  buckets?: readonly number[] | undefined;
  /**
   * A server whose gauges (`server.gauges()`) are read at each scrape: connections
   * accepted and pending, calls running, subscriptions by topic. Default none: counters only.
   */
  server?: VolleyServer | undefined;
  /**
   * Export subscriptions by topic (`volley_topic_subscriptions{topic="..."}`), one series per
   * topic with subscribers. Default `true`; turn it off when topics are many (one per user).
   */
  topics?: boolean | undefined;
}

/** What {@link createPrometheusObserver} makes. */
export interface PrometheusMetrics {
  /** Attach it: `createServer({ observer })` or `server.observe(observer)` (and `engine.observe?.(observer)`). */
  observer: ServerObserver;
  /** Every metric now, in the text exposition format. */
  metrics(): string;
  /** Answers any request with {@link PrometheusMetrics.metrics} (mount it on `/metrics`). */
  handler(request: IncomingMessage, response: ServerResponse): void;
}

/** One counter family: label values (joined) → count. */
class Family {
  readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labels: readonly string[],
    readonly type: 'counter' | 'gauge' = 'counter',
  ) {}

  add(labelValues: readonly (string | number)[], by = 1): void {
    const key = labelValues.join('\u0000');
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  text(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} ${this.type}\n`;
    for (const [key, value] of this.values) {
      out += `${this.name}${labelText(this.labels, key === '' && this.labels.length === 0 ? [] : key.split('\u0000'))} ${value}\n`;
    }
    return out;
  }
}

/** Escapes a label value: backslash, double quote and newline. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return '';
  return `{${names.map((name, i) => `${name}="${escapeLabel(values[i] ?? '')}"`).join(',')}}`;
}

/** A histogram of call durations per (method, outcome). */
class Histogram {
  readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly buckets: readonly number[],
  ) {}

  observe(method: string, outcome: string, seconds: number): void {
    const key = `${method}\u0000${outcome}`;
    let series = this.series.get(key);
    if (series === undefined) {
      series = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, series);
    }
    for (let i = 0; i < this.buckets.length; i++) {
      if (seconds <= (this.buckets[i] as number)) series.counts[i] = (series.counts[i] ?? 0) + 1;
    }
    series.sum += seconds;
    series.count += 1;
  }

  text(): string {
    let out = `# HELP ${this.name} How long queries and mutations took, by method and outcome\n# TYPE ${this.name} histogram\n`;
    for (const [key, series] of this.series) {
      const [method = '', outcome = ''] = key.split('\u0000');
      const base = `method="${escapeLabel(method)}",outcome="${escapeLabel(outcome)}"`;
      this.buckets.forEach((bound, i) => {
        out += `${this.name}_bucket{${base},le="${bound}"} ${series.counts[i]}\n`;
      });
      out += `${this.name}_bucket{${base},le="+Inf"} ${series.count}\n`;
      out += `${this.name}_sum{${base}} ${series.sum}\n`;
      out += `${this.name}_count{${base}} ${series.count}\n`;
    }
    return out;
  }
}

/**
 * Counts what a Volley server does, for Prometheus to scrape. Mount `handler` on the
 * server's HTTP server (or any), for example:
 *
 * ```ts
 * const prometheus = createPrometheusObserver({ server });
 * server.observe(prometheus.observer);
 * const http = createHttpServer((req, res) =>
 *   req.url === '/metrics' ? prometheus.handler(req, res) : res.writeHead(404).end());
 * server.attach(http);
 * ```
 *
 * Counters: `volley_connections_opened_total`, `volley_connections_accepted_total`,
 * `volley_connections_refused_total{reason}`, `volley_connections_closed_total{code}`,
 * `volley_calls_total{method,outcome}`, `volley_subscriptions_opened_total{method}`,
 * `volley_events_delivered_total{method}`, `volley_events_dropped_total{method}`,
 * `volley_bytes_total{direction}`, `volley_backpressure_pauses_total`,
 * `volley_limit_hits_total{limit}`, `volley_engine_publish_failures_total`,
 * `volley_engine_reconnections_total{engine}`; the histogram
 * `volley_call_duration_seconds{method,outcome}` (outcome `ok` or the error code name);
 * and with `server`, the gauges `volley_connections{state}`, `volley_calls_running`,
 * `volley_subscriptions` and `volley_topic_subscriptions{topic}`.
 */
export function createPrometheusObserver(
  options: PrometheusObserverOptions = {},
): PrometheusMetrics {
  const prefix = options.prefix ?? 'volley_';
  const family = (name: string, help: string, labels: string[] = []) =>
    new Family(`${prefix}${name}`, help, labels);
  const opened = family('connections_opened_total', 'WebSocket connections opened');
  const accepted = family('connections_accepted_total', 'Connections accepted');
  const refused = family('connections_refused_total', 'Connections turned away, by reason', [
    'reason',
  ]);
  const closed = family('connections_closed_total', 'Connections closed, by close code', ['code']);
  const calls = family('calls_total', 'Queries and mutations answered, by method and outcome', [
    'method',
    'outcome',
  ]);
  const subscriptions = family('subscriptions_opened_total', 'Subscriptions opened, by method', [
    'method',
  ]);
  const delivered = family('events_delivered_total', 'Subscription events written, by method', [
    'method',
  ]);
  const dropped = family('events_dropped_total', 'Topic events dropped for slow subscribers', [
    'method',
  ]);
  const bytes = family('bytes_total', 'Bytes of frames read (in) and written (out)', ['direction']);
  const pauses = family('backpressure_pauses_total', 'Connections paused past highWaterMark');
  const limits = family('limit_hits_total', 'Refusals by a limit, by limit', ['limit']);
  const publishFailures = family('engine_publish_failures_total', 'Failed pub/sub publishes');
  const reconnections = family('engine_reconnections_total', 'Pub/sub engine reconnections', [
    'engine',
  ]);
  const durations = new Histogram(
    `${prefix}call_duration_seconds`,
    options.buckets ?? DEFAULT_PROMETHEUS_BUCKETS,
  );
  const families = [
    opened,
    accepted,
    refused,
    closed,
    calls,
    subscriptions,
    delivered,
    dropped,
    bytes,
    pauses,
    limits,
    publishFailures,
    reconnections,
  ];
  // Families without labels are shown at 0 from the start, as Prometheus expects.
  for (const counter of [opened, accepted, pauses, publishFailures]) counter.add([], 0);

  const observer: ServerObserver = {
    connectionOpened: () => opened.add([]),
    connectionAccepted: () => accepted.add([]),
    connectionRefused: (reason) => refused.add([reason]),
    connectionClosed: (_connection, code) => closed.add([code]),
    callStarted: (call) => (outcome, durationMs) => {
      const name = outcome.ok ? 'ok' : outcome.name;
      calls.add([call.path, name]);
      durations.observe(call.path, name, durationMs / 1_000);
    },
    subscriptionOpened: (_id, path) => subscriptions.add([path]),
    eventsDelivered: (_id, path, count) => delivered.add([path], count),
    eventsDropped: (_id, path, count) => dropped.add([path], count),
    bytes: (direction, count) => bytes.add([direction], count),
    backpressurePaused: () => pauses.add([]),
    limitHit: (limit) => limits.add([limit]),
    publishFailed: () => publishFailures.add([]),
    engineReconnected: (engine) => reconnections.add([engine]),
  };

  const gauges = (): string => {
    const { server } = options;
    if (server === undefined) return '';
    const now = server.gauges();
    const connections = new Family(
      `${prefix}connections`,
      'Connections open now, by state',
      ['state'],
      'gauge',
    );
    connections.add(['accepted'], now.accepted);
    connections.add(['pending'], now.pending);
    const running = new Family(
      `${prefix}calls_running`,
      'Queries and mutations running now',
      [],
      'gauge',
    );
    running.add([], now.calls);
    const live = new Family(`${prefix}subscriptions`, 'Subscriptions running now', [], 'gauge');
    live.add([], now.subscriptions);
    let out = connections.text() + running.text() + live.text();
    if (options.topics !== false) {
      const topics = new Family(
        `${prefix}topic_subscriptions`,
        'Live subscriptions to pub/sub topics, by topic',
        ['topic'],
        'gauge',
      );
      for (const [topic, count] of now.subscriptionsByTopic) topics.add([topic], count);
      out += topics.text();
    }
    return out;
  };

  const metrics = () =>
    families.map((counter) => counter.text()).join('') + durations.text() + gauges();
  return {
    observer,
    metrics,
    handler(_request, response) {
      const body = metrics();
      response.writeHead(200, {
        'Content-Type': PROMETHEUS_CONTENT_TYPE,
        'Content-Length': Buffer.byteLength(body),
      });
      response.end(body);
    },
  };
}
