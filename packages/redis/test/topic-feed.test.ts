// TopicFeed, the per-listener ordering of the Redis engine, driven by hand: live messages
// in any order, log reads from a log kept in an array. What the fault tests reach only by
// chance (a message overtaken by a read, a read overtaken by messages) happens here on cue.
import { describe, expect, it } from 'vitest';
import type { LogRead } from '../src/scripts.js';
import { TopicFeed } from '../src/topic-feed.js';
import { dataOf, recordingListener } from './helpers/listener.js';

/** A topic's log in memory, in the shape the scripts read it. */
function fakeLog(epoch = 'e1') {
  const log = { epoch, seq: 0, entries: [] as Array<{ seq: number; json: string }>, first: 1 };
  return {
    log,
    append(n: number) {
      log.seq += 1;
      log.entries.push({ seq: log.seq, json: JSON.stringify(n) });
      return { epoch: log.epoch, seq: log.seq, json: JSON.stringify(n) };
    },
    read(after: number): LogRead {
      return {
        epoch: log.epoch,
        seq: log.seq,
        entries: log.entries.filter((e) => e.seq > after && e.seq >= log.first),
      };
    },
  };
}

function feedOn(store: ReturnType<typeof fakeLog>) {
  const listener = recordingListener();
  const feed = new TopicFeed(listener, {
    source: {
      head: async () => ({ epoch: store.log.epoch, seq: store.log.seq }),
      read: async (after) => store.read(after),
    },
    retryMs: 10,
    maxPending: 1_000,
    onError: () => {},
  });
  return { listener, feed };
}

describe('TopicFeed', () => {
  it('drops live messages it has delivered, and reads the log for skipped numbers', async () => {
    const store = fakeLog();
    const { listener, feed } = feedOn(store);
    await feed.start();
    const [one, two, three] = [store.append(1), store.append(2), store.append(3)];
    feed.message(one);
    feed.message(one);
    feed.message(three); // 2 skipped: read from the log before 3
    await listener.untilEvents(3);
    feed.message(two);
    expect(dataOf(listener.events)).toEqual([1, 2, 3]);
    expect(listener.events.map((e) => e.id)).toEqual(['e1:1', 'e1:2', 'e1:3']);
  });

  it('a backlog read brings a listener that is behind up to the head, before the live messages come', async () => {
    const store = fakeLog();
    const { listener, feed } = feedOn(store);
    await feed.start();
    const sent = [store.append(1), store.append(2)];
    // Another node handed out e1:2; this node's live messages are still on their way.
    feed.offer(store.read(0), 0);
    expect(dataOf(listener.events)).toEqual([1, 2]);
    for (const message of sent) feed.message(message);
    expect(dataOf(listener.events)).toEqual([1, 2]);
  });

  it('holds live messages while suspended, and catches up from the log on resume', async () => {
    const store = fakeLog();
    const { listener, feed } = feedOn(store);
    await feed.start();
    feed.suspend();
    store.append(1); // published while the connection was down: never heard live
    const two = store.append(2);
    feed.message(two);
    expect(listener.events).toEqual([]);
    feed.resume();
    await listener.untilEvents(2);
    expect(dataOf(listener.events)).toEqual([1, 2]);
    expect(listener.gaps).toBe(0);
  });

  it('reports a gap when the log was trimmed past its last event, and goes on from the newest', async () => {
    const store = fakeLog();
    const { listener, feed } = feedOn(store);
    await feed.start();
    feed.suspend();
    for (let n = 1; n <= 10; n++) store.append(n);
    store.log.first = 6;
    feed.resume();
    await listener.until(() => listener.gaps === 1, 'the gap');
    feed.message(store.append(11));
    await listener.untilEvents(1);
    expect(dataOf(listener.events)).toEqual([11]);
  });

  it('reports a gap on a new epoch, then delivers the new log from its start', async () => {
    const store = fakeLog('e1');
    const { listener, feed } = feedOn(store);
    await feed.start();
    feed.message(store.append(1));
    // The log was lost and began again.
    store.log.epoch = 'e2';
    store.log.seq = 0;
    store.log.entries = [];
    const first = store.append(2);
    store.append(3);
    feed.message(first);
    await listener.untilEvents(3);
    expect(listener.gaps).toBe(1);
    expect(listener.events.map((e) => e.id)).toEqual(['e1:1', 'e2:1', 'e2:2']);
  });

  it('reports a gap when, reconnecting, it finds the log went back (an older snapshot)', async () => {
    const store = fakeLog();
    const { listener, feed } = feedOn(store);
    await feed.start();
    for (let n = 1; n <= 3; n++) feed.message(store.append(n));
    // Redis restarted from a snapshot taken after event 1.
    feed.suspend();
    store.log.seq = 1;
    store.log.entries.length = 1;
    feed.resume();
    await listener.until(() => listener.gaps === 1, 'the gap');
    feed.message(store.append(4));
    await listener.untilEvents(4);
    expect(dataOf(listener.events)).toEqual([1, 2, 3, 4]);
  });
});
