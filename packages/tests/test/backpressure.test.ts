// Backpressure: a peer that stops reading is not sent more than highWaterMark, its
// subscriptions are not pulled meanwhile, and a pub/sub topic applies its overflow
// policy to it, while another client on the same topic keeps receiving everything.
// Topic streams are tested both as the server pushes them (returned as they are) and as
// it pulls them (wrapped in another iterator).
// (Server memory with a stalled peer, measured in a child process: backpressure-memory.test.ts.)
import type { VolleyClient } from '@volley/client';
import { initVolley } from '@volley/core';
import { createPubSub, DEFAULT_HIGH_WATER_MARK, type ErrorInfo } from '@volley/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Harness, type RawPeer, startHarness, within } from './helpers/harness.js';

interface FeedEvent {
  seq: number;
  pad: string;
}

/** Pushed topic subscriptions that overflowed, as the server's onError heard of them. */
let overflows = 0;

function countingPubSub() {
  return createPubSub<{ feed: FeedEvent }>();
}

/** Counts the overflows a pushed subscription reports, and nothing else. */
function onError({ error }: ErrorInfo): void {
  if (error.limit === 'maxBuffered') overflows++;
}

let events = countingPubSub();
/** How many times each subscriber's stream was pulled by the server, by label. */
const pulls = new Map<string, number>();
const pulled = (label: string) => pulls.get(label) ?? 0;

/** Wraps a stream so that each pull is counted under `label`. */
function counted<T>(label: string, source: AsyncIterableIterator<T>): AsyncIterableIterator<T> {
  return {
    next() {
      pulls.set(label, pulled(label) + 1);
      return source.next();
    },
    return: () => source.return?.() ?? Promise.resolve({ done: true, value: undefined }),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

const v = initVolley();
const feedInput = z.object({
  label: z.string(),
  overflow: z.enum(['error', 'drop', 'close']).optional(),
  maxBuffered: z.number().int().optional(),
});
const router = v.router({
  ping: v.procedure.query(() => 'pong'),
  // Wrapped, so the server pulls it event by event and each pull is counted.
  feed: v.procedure.input(feedInput).subscription(({ input, signal }) =>
    counted(
      input.label,
      events.subscribe('feed', {
        signal,
        overflow: input.overflow,
        maxBuffered: input.maxBuffered,
      }),
    ),
  ),
  // Returned as it is, so the server pushes its events as they are published.
  pushedFeed: v.procedure.input(feedInput).subscription(({ input, signal }) =>
    events.subscribe('feed', {
      signal,
      overflow: input.overflow,
      maxBuffered: input.maxBuffered,
    }),
  ),
  // An endless stream that makes an event whenever it is pulled.
  firehose: v.procedure.subscription(async function* ({ signal }) {
    const pad = 'f'.repeat(16 * 1024);
    for (let n = 1; !signal.aborted; n++) {
      pulls.set('firehose', n);
      await new Promise((resolve) => setImmediate(resolve));
      yield { n, pad };
    }
  }),
});

const EVENT_BYTES = 64 * 1024;
let harness: Harness<typeof router>;
let healthy: VolleyClient<typeof router>;
let received: number[];
let waiting: { seq: number; resolve: () => void } | undefined;
let seq: number;

beforeEach(async () => {
  events = countingPubSub();
  overflows = 0;
  pulls.clear();
  received = [];
  waiting = undefined;
  seq = 0;
  harness = await startHarness({ router, highWaterMark: 256 * 1024, onError });
  healthy = harness.client();
  await new Promise<void>((resolve, reject) => {
    healthy.feed.subscribe(
      { label: 'healthy' },
      {
        onStarted: resolve,
        onError: reject,
        onData: (event) => {
          received.push(event.seq);
          if (waiting !== undefined && event.seq >= waiting.seq) waiting.resolve();
        },
      },
    );
  });
});

afterEach(async () => {
  await harness.close();
});

/** Publishes `count` events of 64 KiB, each with its own text, and waits for the healthy client to have them. */
async function publish(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    seq++;
    await events.publish('feed', { seq, pad: `${seq}:`.padEnd(EVENT_BYTES, 'p') });
  }
  const target = seq;
  if (received.at(-1) === target) return;
  await within(
    new Promise<void>((resolve) => {
      waiting = { seq: target, resolve };
    }),
    `the healthy client to receive event ${target}`,
  );
}

type Mode = 'pushed' | 'pulled';

/**
 * A raw peer subscribed to the feed under `slow`, which then stops reading. A pushed
 * stream is not pulled, so whether it is held back is seen through a sentinel on the
 * same connection, a stream that fails (and stops listening) after 5 held-back events.
 */
async function stalledSubscriber(mode: Mode, options: { overflow?: string; maxBuffered?: number }) {
  const peer = await harness.raw();
  const method = mode === 'pushed' ? 'pushedFeed' : 'feed';
  expect(
    await peer.request({
      jsonrpc: '2.0',
      id: 'slow',
      method,
      params: { label: 'slow', ...options },
    }),
  ).toMatchObject({ jsonrpc: '2.0', id: 'slow', result: { subscription: 'slow' } });
  if (mode === 'pushed') {
    expect(
      await peer.request({
        jsonrpc: '2.0',
        id: 'sentinel',
        method,
        params: { label: 'sentinel', maxBuffered: 5 },
      }),
    ).toMatchObject({ result: { subscription: 'sentinel' } });
  }
  peer.socket.pause();
  return peer;
}

/** Publishes until the stalled subscriber is held back: its socket is full. */
async function publishUntilHeldBack(mode: Mode): Promise<void> {
  for (let round = 0; round < 100; round++) {
    const before = mode === 'pushed' ? overflows : pulled('slow');
    await publish(20);
    if (mode === 'pushed' ? overflows > before : pulled('slow') === before) return;
  }
  throw new Error('The stalled subscriber was never held back');
}

/**
 * Every frame the peer has or gets, until `done` says the last one ends it; with
 * `subscription`, only that subscription's.
 */
async function readUntil(
  peer: RawPeer,
  done: (frame: unknown) => boolean,
  subscription?: string,
): Promise<unknown[]> {
  const frames: unknown[] = [];
  for (;;) {
    const frame = await peer.next('the stalled peer to catch up');
    const of = (frame as { params?: { subscription?: unknown } }).params?.subscription;
    if (subscription !== undefined && of !== undefined && of !== subscription) continue;
    frames.push(frame);
    if (done(frame)) return frames;
  }
}

const seqOf = (frame: unknown) =>
  (frame as { params?: { data?: { seq?: number } } }).params?.data?.seq;

it('holds back at 1 MiB by default', () => {
  expect(DEFAULT_HIGH_WATER_MARK).toBe(1024 * 1024);
});

it('stops pulling a generator while its peer does not read, and resumes when it does', async () => {
  const peer = await harness.raw();
  expect(await peer.request({ jsonrpc: '2.0', id: 1, method: 'firehose' })).toMatchObject({
    result: { subscription: 1 },
  });
  peer.socket.pause();
  // The generator makes an event per turn of the event loop; two round trips of another
  // client take several turns, so a count that stands still across them is held back.
  const heldBack = (async () => {
    for (;;) {
      const before = pulled('firehose');
      await healthy.ping.query();
      await healthy.ping.query();
      if (pulled('firehose') === before) return before;
    }
  })();
  const stoppedAt = await within(heldBack, 'the firehose to be held back');
  await publish(10);
  expect(received.slice(-10)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect(pulled('firehose')).toBe(stoppedAt);
  // Reading again releases it: the events arrive in order and more are made.
  peer.socket.resume();
  const frames = await readUntil(
    peer,
    (frame) => ((frame as { params?: { data?: { n: number } } }).params?.data?.n ?? 0) > stoppedAt,
  );
  const numbers = frames.map(
    (frame) => (frame as { params: { data: { n: number } } }).params.data.n,
  );
  expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  peer.send({ jsonrpc: '2.0', method: 'rpc.cancel', params: { id: 1 } });
});

describe.each<Mode>(['pushed', 'pulled'])('a topic subscriber that falls behind (%s)', (mode) => {
  it("with overflow 'error' (the default) fails with TOO_MANY_REQUESTS naming maxBuffered", async () => {
    const peer = await stalledSubscriber(mode, { maxBuffered: 5 });
    await publishUntilHeldBack(mode);
    await publish(10);
    peer.socket.resume();
    const frames = await readUntil(
      peer,
      (frame) => (frame as { method?: string }).method === 'rpc.error',
      'slow',
    );
    expect(frames.at(-1)).toEqual({
      jsonrpc: '2.0',
      method: 'rpc.error',
      params: {
        subscription: 'slow',
        error: {
          code: -32029,
          message: 'Subscriber fell more than 5 events behind topic "feed"',
          data: { code: 'TOO_MANY_REQUESTS', limit: 'maxBuffered' },
        },
      },
    });
    // What it did get came in order, with none skipped, before the failure.
    const seqs = frames.slice(0, -1).map(seqOf);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(seqs.length).toBeLessThan(seq);
    // The connection stays (past what else it still has to read), and the healthy client
    // got everything.
    peer.send({ jsonrpc: '2.0', id: 2, method: 'ping' });
    const answer = await readUntil(peer, (frame) => (frame as { id?: unknown }).id === 2);
    expect(answer.at(-1)).toMatchObject({ result: 'pong' });
    expect(received).toEqual(Array.from({ length: seq }, (_, i) => i + 1));
  });

  it("with overflow 'drop' loses the oldest events it missed and goes on with the newest", async () => {
    const peer = await stalledSubscriber(mode, { overflow: 'drop', maxBuffered: 5 });
    await publishUntilHeldBack(mode);
    await publish(10);
    const last = seq;
    peer.socket.resume();
    const frames = await readUntil(peer, (frame) => seqOf(frame) === last, 'slow');
    const seqs = frames.map(seqOf) as number[];
    // In order, ending with the five newest, and with a gap where events were dropped.
    expect(seqs.slice(-5)).toEqual([last - 4, last - 3, last - 2, last - 1, last]);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(seqs.length).toBeLessThan(last);
    // The subscription goes on.
    await publish(1);
    expect(seqOf(await peer.next('the next event'))).toBe(last + 1);
    expect(received).toEqual(Array.from({ length: seq }, (_, i) => i + 1));
  });

  it("with overflow 'close' closes that peer's connection with 4429", async () => {
    const peer = await stalledSubscriber(mode, { overflow: 'close', maxBuffered: 5 });
    await publishUntilHeldBack(mode);
    await publish(10);
    peer.socket.resume();
    const { code, reason } = await within(peer.closed, 'the slow consumer to be closed');
    expect(code).toBe(4429);
    expect(reason).toBe('Subscriber fell more than 5 events behind topic "feed"');
    const slowEvents = peer.backlog.filter(
      (frame) => (frame as { params?: { subscription?: unknown } }).params?.subscription === 'slow',
    );
    expect(slowEvents.length).toBeLessThan(seq);
    // The healthy client is untouched and still served.
    expect(received).toEqual(Array.from({ length: seq }, (_, i) => i + 1));
    expect(await healthy.ping.query()).toBe('pong');
    expect(harness.server.connectionCount).toBe(1);
  });
});
