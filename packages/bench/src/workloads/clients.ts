// Opening and closing many connections, a bounded number at a time.
import { type BenchClient, type ConnectClient, GREET_NAME } from '../targets/target.js';

/** How many connections open (or close) at once: well under the listen backlog. */
export const CONCURRENCY = 100;

/** Runs `work` for each index, at most {@link CONCURRENCY} at a time. */
export async function inBatches<T>(
  count: number,
  work: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await work(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
  return results;
}

/** Checks one answer, so a target that returns the wrong thing fails instead of winning. */
export function checkGreeting(greeting: unknown): void {
  if (greeting !== `Hello, ${GREET_NAME}`) {
    throw new Error(`greet answered ${JSON.stringify(greeting)}`);
  }
}

/**
 * Opens `count` connections and makes one call on each, so every one is fully
 * established on the server (context created, handlers attached) before it counts.
 */
export async function openClients(
  connect: ConnectClient,
  url: string,
  count: number,
): Promise<BenchClient[]> {
  const clients: BenchClient[] = [];
  try {
    await inBatches(count, async () => {
      const client = await connect(url);
      clients.push(client);
      checkGreeting(await client.greet(GREET_NAME));
    });
  } catch (error) {
    await closeClients(clients);
    throw error;
  }
  return clients;
}

/** Closes every client; never throws. */
export async function closeClients(clients: readonly BenchClient[]): Promise<void> {
  await inBatches(clients.length, (index) => clients[index]!.close().catch(() => {}));
}
