import { TopicStream } from './pubsub/topic-stream.js';
import { Running } from './running.js';
import { ExactId, type WireId } from './wire.js';

/** What a server counts across its connections' tables. */
export interface Activity {
  /** Queries and mutations running. */
  calls: number;
  /** Subscriptions running, from their request until their stream's end is sent. */
  subscriptions: number;
}

/** Who holds a table only while something runs in it. */
export interface TableOwner {
  /** Nothing runs in `table` any more (and no one waits on it). */
  tableEmptied(table: CallTable): void;
}

/** The table key of a request id: its number for an exact id, itself otherwise. */
function keyOf(id: WireId): string | number | null {
  return id instanceof ExactId ? id.value : id;
}

/**
 * One connection's running calls and subscriptions, by request id (a notification, which
 * has none, is kept under its own entry). A duplicate id in flight is refused here.
 * Queries and mutations are counted apart, so that `maxInFlight` and `maxSubscriptions`
 * each see their own kind, and a draining server can wait for the calls alone.
 */
export class CallTable {
  /** Calls and subscriptions running on every connection of the server, closed ones included. */
  readonly #activity: Activity;
  /**
   * Made at first use and dropped when empty: most connections are idle most of the
   * time, and an empty Map costs memory on each.
   */
  #running: Map<string | number | Running, Running> | undefined;
  /** Queries and mutations running. */
  #calls = 0;
  /** Who waits for there to be no query or mutation running. */
  #onIdle: Array<() => void> | undefined;
  /** Told when nothing runs here any more, so an idle connection can drop the table. */
  readonly #owner: TableOwner | undefined;

  constructor(activity: Activity, owner?: TableOwner) {
    this.#activity = activity;
    this.#owner = owner;
  }

  /** Queries and mutations running. */
  get calls(): number {
    return this.#calls;
  }

  /** Subscriptions running (starting or live). */
  get subscriptions(): number {
    return (this.#running?.size ?? 0) - this.#calls;
  }

  /** Registers a call or subscription; `undefined` when its id is already in flight. */
  begin(id: WireId | undefined, isCall: boolean): Running | undefined {
    const key = id === undefined ? undefined : keyOf(id);
    if (key !== undefined && key !== null && this.#running?.has(key) === true) return undefined;
    const running = new Running();
    running.id = id;
    this.#running ??= new Map();
    this.#running.set(key ?? running, running);
    if (isCall) {
      running.isCall = true;
      this.#calls += 1;
      this.#activity.calls += 1;
    } else this.#activity.subscriptions += 1;
    return running;
  }

  /** Releases what `begin` registered. */
  end(id: WireId | undefined, running: Running): void {
    const map = this.#running;
    if (map === undefined) return;
    const key = id === undefined || id === null ? running : keyOf(id);
    if (map.get(key as string | number | Running) !== running) return;
    map.delete(key as string | number | Running);
    if (map.size === 0) this.#running = undefined;
    if (!running.isCall) {
      this.#activity.subscriptions -= 1;
      if (this.#running === undefined && this.#onIdle === undefined)
        this.#owner?.tableEmptied(this);
      return;
    }
    this.#calls -= 1;
    this.#activity.calls -= 1;
    // Only a draining server waits here; the common case allocates nothing.
    if (this.#calls === 0 && this.#onIdle !== undefined) {
      const waiting = this.#onIdle;
      this.#onIdle = undefined;
      for (const resolve of waiting) resolve();
    }
    if (this.#running === undefined && this.#onIdle === undefined) this.#owner?.tableEmptied(this);
  }

  /** What runs under request `id` (as `rpc.cancel` names it). */
  get(id: string | number): Running | undefined {
    return this.#running?.get(id);
  }

  /** Adds this table's live topic subscriptions to `byTopic`, one per subscription. */
  countTopics(byTopic: Map<string, number>): void {
    if (this.#running === undefined) return;
    for (const running of this.#running.values()) {
      const iterator = running.iterator;
      if (!running.isCall && iterator instanceof TopicStream) {
        byTopic.set(iterator.topic, (byTopic.get(iterator.topic) ?? 0) + 1);
      }
    }
  }

  /** Stops everything: the connection closed. */
  stopAll(): void {
    if (this.#running !== undefined) for (const running of this.#running.values()) running.stop();
  }

  /** Resolves once no query or mutation is running (subscriptions do not count). */
  callsSettled(): Promise<void> {
    if (this.#calls === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onIdle ??= [];
      this.#onIdle.push(resolve);
    });
  }

  /** Resolves when every subscription has finished, its `finally` included. */
  async subscriptionsSettled(): Promise<void> {
    for (;;) {
      const pumps: Array<Promise<void>> = [];
      for (const running of this.#running?.values() ?? []) {
        if (running.pump !== undefined) pumps.push(running.pump);
      }
      if (pumps.length === 0) return;
      await Promise.allSettled(pumps);
    }
  }
}
