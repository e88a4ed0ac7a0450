// rpc.resume on the wire, with raw JSON-RPC frames: a pub/sub topic stream starts at the
// resuming client's position whether or not the procedure passes `lastEventId` on, and the
// acknowledgement says `recovered: true` only when the stream really starts there. A
// position the server cannot replay from (another epoch, trimmed from the log, or one the
// procedure overrode) is answered `recovered: false`, with the position it starts from.
import { initVolley } from '@volley/core';
import { createMemoryEngine, createPubSub, type PubSub } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Harness, type RawPeer, startHarness, within } from './helpers/harness.js';

type Topics = Record<string, number>;
let events: PubSub<Topics> = createPubSub<Topics>();
/** The position `fromOwn` always starts after, whatever the client asks. */
let ownPosition: string | undefined;

const v = initVolley();
const room = z.object({ room: z.string() });
const router = v.router({
  // The bug the review found: `lastEventId` is not passed on.
  forgets: v.procedure
    .input(room)
    .subscription(({ input, signal }) => events.subscribe(`room:${input.room}`, { signal })),
  passes: v.procedure
    .input(room)
    .subscription(({ input, signal, lastEventId }) =>
      events.subscribe(`room:${input.room}`, { signal, lastEventId }),
    ),
  // Starts at a position of its own choosing, which is not the client's.
  fromOwn: v.procedure
    .input(room)
    .subscription(({ input, signal }) =>
      events.subscribe(`room:${input.room}`, { signal, lastEventId: ownPosition }),
    ),
});

let harness: Harness<typeof router> | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  events = createPubSub<Topics>();
  ownPosition = undefined;
});

async function start(): Promise<Harness<typeof router>> {
  harness = await startHarness({ router, heartbeatIntervalMs: 0 });
  return harness;
}

interface EventFrame {
  method: 'rpc.event';
  params: { subscription: unknown; eventId: string; data: number };
}

/** The next `count` frames, each an `rpc.event` of `subscription`: their data. */
async function nextEvents(peer: RawPeer, subscription: unknown, count: number) {
  const got: EventFrame['params'][] = [];
  for (let index = 0; index < count; index++) {
    const frame = (await peer.next(`event ${index + 1} of ${count}`)) as EventFrame;
    expect(frame).toMatchObject({ method: 'rpc.event', params: { subscription } });
    got.push(frame.params);
  }
  return got;
}

async function publish(topic: string, numbers: number[]): Promise<string[]> {
  const ids: string[] = [];
  for (const n of numbers) ids.push(await events.publish(topic, n));
  return ids;
}

/** Subscribes on a fresh raw socket, receives 1..3, then closes it: what a cut leaves. */
async function subscribeAndLeave(started: Harness<typeof router>, method: string) {
  const first = await started.raw();
  const ack = (await first.request({
    jsonrpc: '2.0',
    id: 1,
    method,
    params: { room: 'a' },
  })) as { result: { subscription: number; lastEventId: string } };
  expect(ack.result).toEqual({ subscription: 1, lastEventId: expect.any(String) });
  await publish('room:a', [1, 2, 3]);
  const seen = await nextEvents(first, 1, 3);
  expect(seen.map((event) => event.data)).toEqual([1, 2, 3]);
  first.socket.terminate();
  await within(first.closed, 'the cut');
  return { head: ack.result.lastEventId, last: seen[2]?.eventId as string };
}

function resumeFrame(id: number, method: string, lastEventId: string) {
  return {
    jsonrpc: '2.0',
    id,
    method: 'rpc.resume',
    params: { method, params: { room: 'a' }, lastEventId },
  };
}

describe.each([
  ['does not pass lastEventId on', 'forgets'],
  ['passes lastEventId on', 'passes'],
])('a topic subscription that %s', (_, method) => {
  it('resumes from the last event id with every missed event, none twice, recovered: true', async () => {
    const started = await start();
    const { last } = await subscribeAndLeave(started, method);
    // Published while the client is away.
    await publish('room:a', [4, 5, 6]);
    await publish('room:b', [100]);
    const second = await started.raw();
    expect(await second.request(resumeFrame(7, method, last))).toEqual({
      jsonrpc: '2.0',
      id: 7,
      result: { subscription: 7, lastEventId: last, recovered: true },
    });
    const missed = await nextEvents(second, 7, 3);
    expect(missed.map((event) => event.data)).toEqual([4, 5, 6]);
    // Live after the replay, and the next frame is 7: nothing came twice in between.
    const [seventh] = await publish('room:a', [7]);
    expect(await nextEvents(second, 7, 1)).toEqual([
      { subscription: 7, eventId: seventh, data: 7 },
    ]);
    expect(second.backlog).toEqual([]);
  });

  it('answers recovered: false from an unknown epoch, starting at the head, which the ack gives', async () => {
    const started = await start();
    const { last } = await subscribeAndLeave(started, method);
    const [, head] = await publish('room:a', [4, 5]);
    const second = await started.raw();
    // The same sequence number, from a server process that is gone.
    const foreign = `not-this-epoch.${last.split('.').at(-1)}`;
    expect(await second.request(resumeFrame(8, method, foreign))).toEqual({
      jsonrpc: '2.0',
      id: 8,
      result: { subscription: 8, lastEventId: head, recovered: false },
    });
    // Nothing is replayed: the next event is the next one published.
    const [sixth] = await publish('room:a', [6]);
    expect(await nextEvents(second, 8, 1)).toEqual([{ subscription: 8, eventId: sixth, data: 6 }]);
  });

  it('answers recovered: false from a position trimmed from the log, starting at the head', async () => {
    events = createPubSub<Topics>({ engine: createMemoryEngine({ logSize: 3 }) });
    const started = await start();
    const { last } = await subscribeAndLeave(started, method);
    // Seven missed, three kept: the position after event 3 cannot be replayed whole.
    const ids = await publish(
      'room:a',
      Array.from({ length: 7 }, (_, index) => index + 4),
    );
    const second = await started.raw();
    expect(await second.request(resumeFrame(9, method, last))).toEqual({
      jsonrpc: '2.0',
      id: 9,
      result: { subscription: 9, lastEventId: ids.at(-1), recovered: false },
    });
    const [next] = await publish('room:a', [11]);
    expect(await nextEvents(second, 9, 1)).toEqual([{ subscription: 9, eventId: next, data: 11 }]);
  });
});

it('answers recovered: false when the procedure starts the stream at a position of its own', async () => {
  const started = await start();
  const { head, last } = await subscribeAndLeave(started, 'fromOwn');
  // The procedure starts after its own position (before event 1), not after the client's.
  ownPosition = head;
  const second = await started.raw();
  expect(await second.request(resumeFrame(5, 'fromOwn', last))).toEqual({
    jsonrpc: '2.0',
    id: 5,
    result: { subscription: 5, lastEventId: head, recovered: false },
  });
  // What it replays is what it says: everything after its own position.
  expect((await nextEvents(second, 5, 3)).map((event) => event.data)).toEqual([1, 2, 3]);
});

it('a new subscription to a topic gives the head as its lastEventId, and no recovered', async () => {
  const started = await start();
  const [, head] = await publish('room:a', [1, 2]);
  const peer = await started.raw();
  expect(
    await peer.request({ jsonrpc: '2.0', id: 'f', method: 'forgets', params: { room: 'a' } }),
  ).toEqual({ jsonrpc: '2.0', id: 'f', result: { subscription: 'f', lastEventId: head } });
});
