// A worker that publishes 1, 2, 3, ... on a topic at a steady pace through faults, and
// records what became of each number.
import type { PubSubEngine } from '@volley/core';
import { RedisUnavailableError } from '@volley/redis';

/** What became of the numbers published. */
export interface Published {
  /** Numbers whose publish resolved: each must be heard, unless a gap was reported. */
  readonly ok: number[];
  /** Numbers whose publish failed after the script was sent: heard at most once. */
  readonly unsure: number[];
  /** Numbers whose publish failed before anything was sent: never heard. */
  readonly refused: number[];
}

export interface Publisher extends Published {
  /** Resolves once `count` more numbers have been published successfully. */
  untilPublished(count: number): Promise<void>;
  /** Stops after the publish in flight; resolves with what became of every number. */
  stop(): Promise<Published>;
}

export function startPublisher(engine: PubSubEngine, topic: string, paceMs = 20): Publisher {
  const ok: number[] = [];
  const unsure: number[] = [];
  const refused: number[] = [];
  let stopped = false;
  const waiters: Array<{ target: number; resolve(): void }> = [];
  const loop = (async () => {
    for (let n = 1; !stopped; n++) {
      try {
        await engine.publish(topic, n);
        ok.push(n);
        for (const waiter of waiters.filter((w) => ok.length >= w.target)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      } catch (error) {
        if (!(error instanceof RedisUnavailableError)) throw error;
        (error.sent ? unsure : refused).push(n);
      }
      await new Promise((resolve) => setTimeout(resolve, paceMs));
    }
  })();
  return {
    ok,
    unsure,
    refused,
    untilPublished(count) {
      const target = ok.length + count;
      return new Promise((resolve) => waiters.push({ target, resolve }));
    },
    async stop() {
      stopped = true;
      await loop;
      return { ok, unsure, refused };
    },
  };
}
