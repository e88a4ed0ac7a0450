import type { TopicListener } from '@volley/core';
import { formatId, type WireEvent } from './ids.js';
import { contiguous, type Head, type LogRead } from './scripts.js';

/** Where a feed reads its topic's log (over the engine's command connection). */
export interface FeedSource {
  /** The topic's epoch (made if it has none) and newest number. */
  head(): Promise<Head>;
  /** The log after a number; `undefined` when the topic has no epoch at all. */
  read(after: number): Promise<LogRead | undefined>;
}

/** How a feed is run: its source, how long it waits between failed reads, who hears errors. */
export interface FeedOptions {
  readonly source: FeedSource;
  readonly retryMs: number;
  /**
   * At most this many live messages wait while the log is read; past it they are dropped
   * and the log is read once more instead (it holds them too), so a long catch-up holds
   * no more memory than the log.
   */
  readonly maxPending: number;
  readonly onError: (error: Error) => void;
}

/**
 * One listener's view of one topic: it hands the listener each event once, in number
 * order, whether the event came live over pub/sub or from the log.
 *
 * It remembers the epoch and number of the last event it delivered. A live event with the
 * next number is delivered; an older one is dropped (it was delivered already); a newer
 * one, one of another epoch, or a reconnection makes it read the missing events from the
 * log first, holding live ones back meanwhile. When the log no longer has them, it calls
 * `gap()` and goes on: from the newest event when the log was trimmed or rolled back to an
 * older number (restored from an older snapshot), and from the start of the new log when
 * the old one was lost (a new epoch).
 */
export class TopicFeed {
  readonly #listener: TopicListener;
  readonly #options: FeedOptions;
  #epoch: string | undefined;
  /** Number of the last event delivered (or skipped past by a gap). */
  #last = 0;
  /** Live events wait in `#pending` while this is set: the log is being read or cannot be. */
  #holding = true;
  /** Set while the pub/sub connection is down: no reading until it is back. */
  #suspended = false;
  /** The connection dropped at some point: live events may have been missed. */
  #dropped = false;
  #started = false;
  #pending: WireEvent[] = [];
  /** Another read of the log is wanted. */
  #wanted = false;
  #running = false;
  #closed = false;
  #sleep: { timer: ReturnType<typeof setTimeout>; wake(): void } | undefined;

  constructor(listener: TopicListener, options: FeedOptions) {
    this.#listener = listener;
    this.#options = options;
  }

  /** Whether live events are flowing straight through (no catch-up running or waiting). */
  get live(): boolean {
    return !this.#holding && !this.#closed;
  }

  /** The epoch of the events delivered, once known. */
  get epoch(): string | undefined {
    return this.#epoch;
  }

  /** Number of the last event delivered. */
  get last(): number {
    return this.#last;
  }

  /**
   * Starts at the topic's newest event (the events before it are the backlog's), then lets
   * held live events through.
   *
   * @throws whatever the source throws; the feed stays unstarted then, and is to be closed.
   */
  async start(): Promise<void> {
    const head = await this.#options.source.head();
    if (this.#closed) return;
    this.#epoch = head.epoch;
    this.#last = head.seq;
    this.#started = true;
    // Still down: resume() will catch up. Down and back while the head was read: events
    // after the head may have been missed live, so read the log rather than trust them.
    if (this.#suspended) return;
    if (this.#dropped) this.#catchUp();
    else this.#release();
  }

  /** A live event from the topic's channel. */
  message(event: WireEvent): void {
    if (this.#closed) return;
    if (this.#holding) {
      this.#pending.push(event);
      if (this.#pending.length > this.#options.maxPending) {
        this.#pending = [];
        this.#wanted = true;
      }
      return;
    }
    if (event.epoch !== this.#epoch || event.seq > this.#last + 1) {
      this.#pending.push(event);
      this.#catchUp();
      return;
    }
    if (event.seq <= this.#last) return;
    this.#deliver(event.seq, event.json);
  }

  /** The pub/sub connection dropped: hold live events until {@link resume}. */
  suspend(): void {
    this.#suspended = true;
    this.#dropped = true;
    this.#holding = true;
  }

  /** The pub/sub connection is back and subscribed: read what was missed, then go live. */
  resume(): void {
    if (!this.#suspended) return;
    this.#suspended = false;
    // Before the start, there is nowhere to catch up from yet: start() will.
    if (this.#started) this.#catchUp();
  }

  /** Whether {@link resume} is awaited. */
  get suspended(): boolean {
    return this.#suspended;
  }

  /**
   * A log read made for someone else (a backlog): delivers the events after the last one
   * delivered that it holds, so that this listener is never behind a position the engine
   * gave out. Reads that do not fit (another epoch, not contiguous) start a catch-up.
   */
  offer(read: LogRead, after: number): void {
    if (!this.live || read.epoch !== this.#epoch) return;
    if (read.seq <= this.#last) return;
    if (after > this.#last) {
      this.#catchUp();
      return;
    }
    const fresh = read.entries.filter((entry) => entry.seq > this.#last);
    if (!contiguous(fresh, this.#last, read.seq)) {
      this.#catchUp();
      return;
    }
    for (const entry of fresh) {
      if (this.#closed) return;
      this.#deliver(entry.seq, entry.json);
    }
  }

  /** Stops delivering, for good. */
  close(): void {
    this.#closed = true;
    this.#pending = [];
    const sleep = this.#sleep;
    if (sleep !== undefined) {
      clearTimeout(sleep.timer);
      sleep.wake();
    }
  }

  #catchUp(): void {
    this.#holding = true;
    this.#wanted = true;
    if (this.#running || this.#suspended || this.#closed) return;
    this.#running = true;
    void this.#run();
  }

  async #run(): Promise<void> {
    while (this.#wanted && !this.#closed && !this.#suspended) {
      this.#wanted = false;
      let read: LogRead | undefined;
      try {
        read = await this.#options.source.read(this.#last);
      } catch (error) {
        this.#options.onError(
          new Error(`Catching up after a lost connection failed, retrying: ${String(error)}`, {
            cause: error,
          }),
        );
        this.#wanted = true;
        await this.#pause();
        continue;
      }
      if (this.#closed) break;
      this.#apply(read);
    }
    this.#running = false;
    if (this.#closed || this.#suspended) return;
    if (this.#wanted) this.#catchUp();
    else this.#release();
  }

  /** Delivers what the log holds after the last event, or reports the gap and skips it. */
  #apply(read: LogRead | undefined): void {
    if (read === undefined) {
      // No epoch: the log was lost, and nothing was published since.
      if (this.#epoch !== undefined) this.#gap(undefined, 0);
      return;
    }
    if (read.epoch !== this.#epoch && this.#epoch !== undefined) {
      // A new log: whatever came after our last event in the old one is gone. The new one
      // is read from its start, so that the events published since the loss still come.
      this.#gap(read.epoch, 0);
      this.#wanted = true;
      return;
    }
    // Either the same log, or the first one since we saw the log lost (we are at 0).
    this.#epoch = read.epoch;
    if (read.seq < this.#last || !contiguous(read.entries, this.#last, read.seq)) {
      // Rolled back (restored from an older snapshot) or trimmed past our last event.
      this.#gap(read.epoch, read.seq);
      return;
    }
    for (const entry of read.entries) {
      if (this.#closed) return;
      this.#deliver(entry.seq, entry.json);
    }
  }

  #gap(epoch: string | undefined, seq: number): void {
    this.#epoch = epoch;
    this.#last = seq;
    this.#listener.gap();
  }

  /** Lets held live events through, in order; one that needs the log starts a catch-up. */
  #release(): void {
    this.#holding = false;
    const pending = this.#pending;
    this.#pending = [];
    for (const event of pending) this.message(event);
  }

  #deliver(seq: number, json: string): void {
    this.#last = seq;
    let data: unknown;
    try {
      data = JSON.parse(json);
    } catch (error) {
      this.#options.onError(new Error(`Event ${seq} is not JSON, skipped`, { cause: error }));
      return;
    }
    this.#listener.event({ id: formatId(this.#epoch as string, seq), data });
  }

  #pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#sleep = undefined;
        resolve();
      }, this.#options.retryMs);
      this.#sleep = { timer, wake: resolve };
    });
  }
}
