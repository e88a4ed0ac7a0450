// The aggregator alone: fed observer events by hand, on a clock the test moves.
import type { ObservedConnection } from '@volley/server';
import { describe, expect, it } from 'vitest';
import { createAggregator, DEFAULT_WINDOW_MS } from '../src/aggregator.js';
import { BUCKETS, bucketOf, LatencyHistogram, upperBoundOf } from '../src/latency-histogram.js';

function clock(start = 1_700_000_000_000) {
  let at = start;
  return {
    now: () => at,
    advance(ms: number) {
      at += ms;
    },
  };
}

let ids = 0;
function connection(origin?: string, clientAddress = '127.0.0.1'): ObservedConnection {
  return { connectionId: `c${++ids}`, origin, clientAddress };
}

/** Runs a call to `path` through the aggregator that took `ms`, with `error` as its code name. */
function call(
  aggregator: ReturnType<typeof createAggregator>,
  path: string,
  ms: number,
  error?: string,
) {
  const end = aggregator.callStarted?.({
    connectionId: 'c0',
    path,
    type: 'query',
    trace: undefined,
  });
  end?.(error === undefined ? { ok: true } : { ok: false, code: -32600, name: error }, ms);
}

describe('connections', () => {
  it('counts open, accepted and closed connections, by origin and by close code', () => {
    const time = clock();
    const aggregator = createAggregator({ now: time.now });
    const a = connection('https://app.example');
    const b = connection('https://app.example');
    const c = connection(undefined);
    for (const each of [a, b, c]) aggregator.connectionOpened?.(each);
    aggregator.connectionAccepted?.(a);
    aggregator.connectionAccepted?.(b);
    let connections = aggregator.snapshot().connections;
    expect(connections).toMatchObject({ open: 3, accepted: 2, pending: 1 });
    expect(connections.opened).toEqual({ total: 3, recent: 3 });
    expect(connections.byOrigin).toEqual([
      { origin: 'https://app.example', count: 2 },
      { origin: null, count: 1 },
    ]);

    aggregator.connectionClosed?.(a, 1000, true);
    aggregator.connectionClosed?.(c, 4408, false);
    connections = aggregator.snapshot().connections;
    expect(connections).toMatchObject({ open: 1, accepted: 1, pending: 0 });
    expect(connections.byOrigin).toEqual([{ origin: 'https://app.example', count: 1 }]);
    expect(connections.closed).toEqual([
      { code: 1000, total: 1 },
      { code: 4408, total: 1 },
    ]);
  });

  it('prefers the server’s own counts when given them (an observer attached late saw less)', () => {
    const aggregator = createAggregator();
    const snapshot = aggregator.snapshot({
      connectionCount: 7,
      accepted: 5,
      pending: 2,
      calls: 3,
      subscriptions: 4,
    });
    expect(snapshot.connections).toMatchObject({ open: 7, accepted: 5, pending: 2 });
    expect(snapshot.callsInFlight).toBe(3);
    expect(snapshot.subscriptions.open).toBe(4);
  });

  it('ignores the close of a connection it never saw open', () => {
    const aggregator = createAggregator();
    aggregator.connectionClosed?.(connection('https://x.example'), 1001, true);
    const { connections } = aggregator.snapshot();
    expect(connections).toMatchObject({ open: 0, accepted: 0, byOrigin: [], otherOrigins: 0 });
    expect(connections.closed).toEqual([{ code: 1001, total: 1 }]);
  });

  it('counts refusals by reason, recently and since the start', () => {
    const time = clock();
    const aggregator = createAggregator({ now: time.now, windowMs: 60_000 });
    aggregator.connectionRefused?.('origin', undefined, 403);
    aggregator.connectionRefused?.('origin', undefined, 403);
    time.advance(61_000);
    aggregator.connectionRefused?.('max-connections', undefined, 503);
    expect(aggregator.snapshot().connections.refused).toEqual([
      { reason: 'max-connections', total: 1, recent: 1 },
      { reason: 'origin', total: 2, recent: 0 },
    ]);
  });

  it('folds origins past maxOrigins into "other", and frees a row when its last connection closes', () => {
    const aggregator = createAggregator({ maxOrigins: 2 });
    const made = ['a', 'b', 'c', 'd'].map((name) => connection(`https://${name}.example`));
    for (const each of made) aggregator.connectionOpened?.(each);
    let connections = aggregator.snapshot().connections;
    expect(connections.byOrigin.map((row) => row.origin)).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
    expect(connections.otherOrigins).toBe(2);
    expect(connections.open).toBe(4);
    aggregator.connectionClosed?.(made[0]!, 1000, false);
    aggregator.connectionClosed?.(made[3]!, 1000, false);
    connections = aggregator.snapshot().connections;
    expect(connections.byOrigin.map((row) => row.origin)).toEqual(['https://b.example']);
    expect(connections.otherOrigins).toBe(1);
  });

  it('counts close codes past MAX_CLOSE_CODES as other closes', () => {
    const aggregator = createAggregator();
    for (let code = 4000; code < 4040; code++) {
      const each = connection();
      aggregator.connectionOpened?.(each);
      aggregator.connectionClosed?.(each, code, false);
    }
    const { connections } = aggregator.snapshot();
    expect(connections.closed).toHaveLength(32);
    expect(connections.otherCloses).toBe(8);
  });
});

describe('calls', () => {
  it('counts calls and errors per procedure, by error code, with rates over the window', () => {
    const time = clock();
    const aggregator = createAggregator({ now: time.now, windowMs: 10_000 });
    time.advance(10_000); // a full window since the start
    for (let index = 0; index < 40; index++) call(aggregator, 'greet', 2);
    call(aggregator, 'greet', 2, 'BAD_REQUEST');
    call(aggregator, 'greet', 2, 'BAD_REQUEST');
    call(aggregator, 'greet', 2, 'INTERNAL_ERROR');
    call(aggregator, 'rooms.join', 5);
    const [greet, join] = aggregator.snapshot().procedures;
    expect(greet).toMatchObject({
      path: 'greet',
      type: 'query',
      calls: { total: 43, recent: 43 },
      errors: { total: 3, recent: 3 },
      errorsByCode: [
        { code: 'BAD_REQUEST', count: 2 },
        { code: 'INTERNAL_ERROR', count: 1 },
      ],
    });
    // 43 calls over a window that covers between 8.3 and 10 s.
    expect(greet?.callsPerSecond).toBeGreaterThanOrEqual(4.3);
    expect(greet?.callsPerSecond).toBeLessThanOrEqual(43 / 8.3);
    expect(join?.path).toBe('rooms.join');
  });

  it('gives p50, p95 and p99 within one bucket above the true value, and the max', () => {
    const time = clock();
    const aggregator = createAggregator({ now: time.now });
    for (let ms = 1; ms <= 1000; ms++) call(aggregator, 'slow', ms);
    const [row] = aggregator.snapshot().procedures;
    for (const [quantile, exact] of [
      ['p50', 500],
      ['p95', 950],
      ['p99', 990],
    ] as const) {
      expect(row?.[quantile]).toBeGreaterThanOrEqual(exact);
      expect(row?.[quantile]).toBeLessThanOrEqual(exact * 2 ** 0.25 + 1);
    }
    expect(row?.max).toBe(1000);
  });

  it('forgets calls older than the window in its rates and percentiles, not in its totals', () => {
    const time = clock();
    const aggregator = createAggregator({ now: time.now });
    call(aggregator, 'greet', 3, 'TIMEOUT');
    time.advance(DEFAULT_WINDOW_MS + 1);
    const [row] = aggregator.snapshot().procedures;
    expect(row).toMatchObject({
      calls: { total: 1, recent: 0 },
      errors: { total: 1, recent: 0 },
      callsPerSecond: 0,
      p50: null,
      p99: null,
      max: null,
    });
  });

  it('folds procedures past maxProcedures into one row with no path', () => {
    const aggregator = createAggregator({ maxProcedures: 2 });
    for (const path of ['a', 'b', 'c', 'd', 'd']) call(aggregator, path, 1);
    const rows = aggregator.snapshot().procedures;
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ path: null, type: null, calls: { total: 3 } });
  });

  it('counts the calls in flight until their end is reported', () => {
    const aggregator = createAggregator();
    const end = aggregator.callStarted?.({
      connectionId: 'c1',
      path: 'wait',
      type: 'mutation',
      trace: undefined,
    });
    expect(aggregator.snapshot().callsInFlight).toBe(1);
    end?.({ ok: true }, 1);
    expect(aggregator.snapshot().callsInFlight).toBe(0);
  });
});

describe('subscriptions', () => {
  it('counts open subscriptions by topic and by procedure', () => {
    const aggregator = createAggregator();
    aggregator.subscriptionOpened?.('c1', 'chat.onMessage', 'room:lobby');
    aggregator.subscriptionOpened?.('c2', 'chat.onMessage', 'room:lobby');
    aggregator.subscriptionOpened?.('c2', 'chat.onMessage', 'room:rust');
    aggregator.subscriptionOpened?.('c3', 'ticks', undefined);
    let subscriptions = aggregator.snapshot().subscriptions;
    expect(subscriptions.open).toBe(4);
    expect(subscriptions.byTopic).toEqual([
      { topic: 'room:lobby', subscribers: 2 },
      { topic: 'room:rust', subscribers: 1 },
    ]);
    expect(subscriptions.byPath).toEqual([
      { path: 'chat.onMessage', count: 3 },
      { path: 'ticks', count: 1 },
    ]);
    aggregator.subscriptionClosed?.('c2', 'chat.onMessage', 'room:rust');
    aggregator.subscriptionClosed?.('c3', 'ticks', undefined);
    subscriptions = aggregator.snapshot().subscriptions;
    expect(subscriptions.open).toBe(2);
    expect(subscriptions.byTopic).toEqual([{ topic: 'room:lobby', subscribers: 2 }]);
    expect(subscriptions.byPath).toEqual([{ path: 'chat.onMessage', count: 2 }]);
  });

  it('counts topics past maxTopics as other, whose total stays right as they close', () => {
    const aggregator = createAggregator({ maxTopics: 1 });
    for (const topic of ['a', 'b', 'c']) aggregator.subscriptionOpened?.('c1', 'feed', topic);
    expect(aggregator.snapshot().subscriptions).toMatchObject({
      byTopic: [{ topic: 'a', subscribers: 1 }],
      otherTopics: 2,
    });
    for (const topic of ['c', 'b', 'a']) aggregator.subscriptionClosed?.('c1', 'feed', topic);
    expect(aggregator.snapshot().subscriptions).toMatchObject({ byTopic: [], otherTopics: 0 });
  });
});

describe('slow consumers, limits, events and bytes', () => {
  it('names the connections whose events were dropped or whose reading was paused', () => {
    const time = clock();
    const aggregator = createAggregator({ now: time.now });
    const slow = connection('https://app.example', '10.0.0.7');
    aggregator.connectionOpened?.(slow);
    aggregator.eventsDropped?.(slow.connectionId, 'feed', 5);
    aggregator.backpressurePaused?.(slow.connectionId);
    aggregator.backpressurePaused?.(slow.connectionId);
    expect(aggregator.snapshot().slowConsumers).toEqual([
      {
        connectionId: slow.connectionId,
        origin: 'https://app.example',
        clientAddress: '10.0.0.7',
        dropped: 5,
        pauses: 2,
        open: true,
        lastAt: time.now(),
      },
    ]);
    aggregator.connectionClosed?.(slow, 1001, true);
    expect(aggregator.snapshot().slowConsumers[0]?.open).toBe(false);
    time.advance(DEFAULT_WINDOW_MS + 1);
    expect(aggregator.snapshot().slowConsumers).toEqual([]); // closed and quiet for a window
  });

  it('remembers at most maxSlowConsumers, evicting a closed one first', () => {
    const time = clock();
    const aggregator = createAggregator({ now: time.now, maxSlowConsumers: 2 });
    const [a, b, c] = [connection(), connection(), connection()];
    for (const each of [a, b, c]) aggregator.connectionOpened?.(each);
    aggregator.backpressurePaused?.(a.connectionId);
    time.advance(1);
    aggregator.backpressurePaused?.(b.connectionId);
    aggregator.connectionClosed?.(b, 1006, true);
    time.advance(1);
    aggregator.backpressurePaused?.(c.connectionId);
    expect(aggregator.snapshot().slowConsumers.map((row) => row.connectionId)).toEqual([
      c.connectionId,
      a.connectionId,
    ]);
  });

  it('counts limit hits by limit, and events and bytes as rates', () => {
    const time = clock();
    const aggregator = createAggregator({ now: time.now });
    aggregator.limitHit?.('rateLimit', 'c1');
    aggregator.limitHit?.('rateLimit', 'c1');
    aggregator.limitHit?.('maxPayload', undefined);
    aggregator.eventsDelivered?.('c1', 'feed', 10);
    aggregator.eventsDropped?.('c9', 'feed', 2); // a connection it never saw: counted, not named
    aggregator.bytes?.('in', 100);
    aggregator.bytes?.('out', 300);
    aggregator.publishFailed?.('room:lobby', new Error('down'));
    aggregator.engineReconnected?.('redis');
    const snapshot = aggregator.snapshot();
    expect(snapshot.limits).toEqual([
      { limit: 'rateLimit', total: 2, recent: 2 },
      { limit: 'maxPayload', total: 1, recent: 1 },
    ]);
    expect(snapshot.events.delivered).toMatchObject({ total: 10, recent: 10 });
    expect(snapshot.events.dropped).toMatchObject({ total: 2, recent: 2 });
    expect(snapshot.slowConsumers).toEqual([]);
    expect(snapshot.bytes.in).toMatchObject({ total: 100, perSecond: 100 }); // floor of 1 s
    expect(snapshot.bytes.out).toMatchObject({ total: 300, perSecond: 300 });
    expect(snapshot.engine).toEqual({ publishFailures: { total: 1, recent: 1 }, reconnections: 1 });
  });
});

describe('change notices and options', () => {
  it('tells its listeners when connections and subscriptions change, not on every call', () => {
    const aggregator = createAggregator();
    let notices = 0;
    const stop = aggregator.onChange(() => notices++);
    const each = connection();
    aggregator.connectionOpened?.(each);
    aggregator.subscriptionOpened?.(each.connectionId, 'feed', 'x');
    call(aggregator, 'greet', 1);
    aggregator.bytes?.('in', 10);
    expect(notices).toBe(2);
    stop();
    aggregator.connectionClosed?.(each, 1000, false);
    expect(notices).toBe(2);
  });

  it.each([
    ['windowMs', 10],
    ['maxProcedures', 0],
    ['maxOrigins', 1.5],
    ['maxTopics', -1],
    ['maxSlowConsumers', Number.NaN],
  ])('refuses %s = %s', (name, value) => {
    expect(() => createAggregator({ [name]: value })).toThrow(TypeError);
  });
});

describe('the latency histogram', () => {
  it('puts each latency in the first bucket whose bound is at least it', () => {
    for (const ms of [0, 0.005, 0.01, 0.3, 1, 7.5, 250, 60_000]) {
      const bucket = bucketOf(ms);
      expect(upperBoundOf(bucket)).toBeGreaterThanOrEqual(ms);
      if (bucket > 0) expect(upperBoundOf(bucket - 1)).toBeLessThan(ms);
    }
    expect(bucketOf(1e9)).toBe(BUCKETS - 1);
    expect(bucketOf(Number.NaN)).toBe(0);
  });

  it('answers null percentiles with no calls in the window', () => {
    expect(new LatencyHistogram().percentiles(5)).toEqual({
      p50: null,
      p95: null,
      p99: null,
      max: null,
    });
  });
});
