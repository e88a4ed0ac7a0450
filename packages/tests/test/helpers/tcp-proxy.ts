// A TCP proxy for fault tests: sits between a client and a server on 127.0.0.1 and can
// cut every connection, blackhole them (stall), slow them down, or be pointed elsewhere.
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';

/** What travels one way: bytes, the end of the stream, or the loss of the connection. */
type Chunk = Buffer | 'end' | 'close';

/** One direction of a proxied connection: `from`'s bytes written to `to`. */
interface Direction {
  readonly from: Socket;
  readonly to: Socket;
  /** Chunks not yet due (delayed), oldest first, with the time each is due. */
  readonly delayed: Array<{ chunk: Chunk; due: number }>;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Chunks that came due while stalled, passed on in order by `resume()`. */
  readonly held: Chunk[];
  /** The write side is full: `from` stays paused until `to` drains. */
  blocked: boolean;
}

/** A client connection and its upstream socket. */
interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  readonly up: Direction;
  readonly down: Direction;
}

/** A TCP proxy on 127.0.0.1. */
export interface TcpProxy {
  /** The port clients connect to. */
  readonly port: number;
  /** `ws://127.0.0.1:<port>`. */
  readonly url: string;
  /** Connections proxied now. */
  readonly connectionCount: number;
  /** Connections accepted since the proxy started. */
  readonly acceptedCount: number;
  /** Whether forwarding is stalled. */
  readonly stalled: boolean;
  /** Destroys both sides of every connection now (as a network cut would, for both peers). */
  cut(): void;
  /**
   * Blackholes every connection, and every new one, in both directions: nothing is
   * forwarded and nothing is closed, as when a route silently drops packets. Closes are
   * held back too, so neither peer learns of the other going away.
   */
  stall(): void;
  /** Forwards again, the held bytes first, then any close that was held back. */
  resume(): void;
  /** Delays every chunk by `ms` from now on (0 for none); order is kept. */
  setDelay(ms: number): void;
  /** Sends new connections to another port (existing ones stay where they are). */
  setTarget(port: number): void;
  /** Stops listening and destroys every connection. */
  close(): Promise<void>;
}

/**
 * Starts a proxy on 127.0.0.1, port 0, forwarding to `targetPort` on 127.0.0.1.
 * Made with `net` and nothing else, so the faults it makes are real socket faults.
 */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let target = targetPort;
  let stalled = false;
  let delayMs = 0;
  let accepted = 0;

  const destroyPair = (pair: Pair) => {
    if (!pairs.delete(pair)) return;
    for (const direction of [pair.up, pair.down]) {
      clearTimeout(direction.timer);
      direction.delayed.length = 0;
      direction.held.length = 0;
    }
    pair.client.destroy();
    pair.upstream.destroy();
  };

  /** Passes on a chunk that is due, or holds it while stalled. */
  const forward = (pair: Pair, direction: Direction, chunk: Chunk) => {
    if (!pairs.has(pair)) return;
    if (stalled) {
      direction.held.push(chunk);
      return;
    }
    if (chunk === 'close') {
      destroyPair(pair);
      return;
    }
    if (chunk === 'end') {
      direction.to.end();
      return;
    }
    if (!direction.to.write(chunk) && !direction.blocked) {
      direction.blocked = true;
      direction.from.pause();
      direction.to.once('drain', () => {
        direction.blocked = false;
        if (!stalled && pairs.has(pair)) direction.from.resume();
      });
    }
  };

  /** Passes on the delayed chunks that are due, and waits for the next. */
  const pump = (pair: Pair, direction: Direction) => {
    direction.timer = undefined;
    const now = Date.now();
    while (direction.delayed.length > 0 && (direction.delayed[0]?.due ?? 0) <= now) {
      forward(pair, direction, (direction.delayed.shift() as { chunk: Chunk }).chunk);
    }
    const next = direction.delayed[0];
    if (next !== undefined && pairs.has(pair)) {
      direction.timer = setTimeout(() => pump(pair, direction), next.due - now);
    }
  };

  /**
   * Passes on now, or once the delay has passed. A chunk is never due before the one
   * ahead of it, even when the delay has just been lowered, so the byte order is kept.
   */
  const schedule = (pair: Pair, direction: Direction, chunk: Chunk) => {
    if (delayMs === 0 && direction.delayed.length === 0) {
      forward(pair, direction, chunk);
      return;
    }
    const last = direction.delayed.at(-1)?.due ?? 0;
    direction.delayed.push({ chunk, due: Math.max(Date.now() + delayMs, last) });
    if (direction.timer === undefined) pump(pair, direction);
  };

  const wire = (pair: Pair, direction: Direction) => {
    direction.from.on('data', (chunk: Buffer) => schedule(pair, direction, chunk));
    direction.from.on('end', () => schedule(pair, direction, 'end'));
    // A reset (or any error) on one side resets the other, after the bytes ahead of it and,
    // when stalled, only on resume(): neither peer hears of it meanwhile.
    direction.from.on('close', () => schedule(pair, direction, 'close'));
    direction.from.on('error', () => {});
  };

  const resumePair = (pair: Pair) => {
    for (const direction of [pair.up, pair.down]) {
      for (const chunk of direction.held.splice(0)) forward(pair, direction, chunk);
      if (!pairs.has(pair)) return;
    }
    for (const direction of [pair.up, pair.down]) {
      if (!direction.blocked) direction.from.resume();
    }
  };

  const server: Server = createServer((client) => {
    accepted += 1;
    client.setNoDelay(true);
    const upstream = connect(target, '127.0.0.1');
    upstream.setNoDelay(true);
    const pair: Pair = {
      client,
      upstream,
      up: { from: client, to: upstream, delayed: [], timer: undefined, held: [], blocked: false },
      down: { from: upstream, to: client, delayed: [], timer: undefined, held: [], blocked: false },
    };
    pairs.add(pair);
    if (stalled) {
      client.pause();
      upstream.pause();
    }
    wire(pair, pair.up);
    wire(pair, pair.down);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    get connectionCount() {
      return pairs.size;
    },
    get acceptedCount() {
      return accepted;
    },
    get stalled() {
      return stalled;
    },
    cut() {
      for (const pair of [...pairs]) destroyPair(pair);
    },
    stall() {
      stalled = true;
      for (const pair of pairs) {
        pair.client.pause();
        pair.upstream.pause();
      }
    },
    resume() {
      if (!stalled) return;
      stalled = false;
      for (const pair of [...pairs]) resumePair(pair);
    },
    setDelay(ms) {
      delayMs = ms;
    },
    setTarget(port) {
      target = port;
    },
    async close() {
      stalled = false;
      for (const pair of [...pairs]) destroyPair(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
