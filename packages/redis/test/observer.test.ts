// The Redis engine's observer: a publish that fails and a reconnection are each reported,
// on a redis-server of the test's own, stopped and started again.
import { createRedisEngine, RedisUnavailableError } from '@volley/redis';
import { afterEach, expect, it } from 'vitest';
import { recordingListener } from './helpers/listener.js';
import { type RedisServer, startRedis } from './helpers/services.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Resolves once `condition` holds, checking every 20 ms (for what only Redis can tell). */
async function until(condition: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('reports failed publishes and reconnections to its observers, until detached', async () => {
  const redis: RedisServer = await startRedis();
  cleanups.push(() => redis.close());
  const engine = createRedisEngine({
    redis: redis.url,
    keyPrefix: 'observed:',
    connectWaitMs: 300,
    onError: false,
  });
  cleanups.push(() => engine.close());
  const failures: Array<[string, unknown]> = [];
  const reconnections: string[] = [];
  const detach = engine.observe({
    publishFailed: (topic, error) => failures.push([topic, error]),
    engineReconnected: (name) => reconnections.push(name),
  });
  // An observer that throws does not stop the others, nor the engine.
  engine.observe({
    publishFailed() {
      throw new Error('observer bug');
    },
  });
  await engine.subscribe('t', recordingListener());
  await engine.publish('t', 'ok');
  expect(failures).toEqual([]);
  expect(reconnections).toEqual([]);

  await redis.stop();
  const failure = await engine.publish('t', 'during').catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(RedisUnavailableError);
  expect(failures).toEqual([['t', failure]]);

  await redis.start();
  await until(
    async () => (await engine.publish('t', 'after').catch(() => undefined)) !== undefined,
    'a publish to succeed after the restart',
  );
  // Both connections (commands and pub/sub) came back.
  await until(async () => reconnections.length >= 2, 'both connections to be back');
  expect(reconnections.every((name) => name === 'redis')).toBe(true);

  detach();
  await redis.stop();
  await engine.publish('t', 'unheard').catch(() => {});
  expect(failures).toHaveLength(1);
});
