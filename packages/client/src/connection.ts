import { encodeRequest, type Params } from '@volley/core';
import { type ClientOptions, resolveLazy } from './options.js';
import { authParams, HEARTBEAT_TIMEOUT, INIT, INIT_ID, NORMAL, PING } from './protocol.js';
import { OPEN, type WebSocketConstructor, type WebSocketLike } from './websocket.js';

/**
 * Where the client's connection is:
 * - `idle`: no socket and not trying (a lazy client before its first call, or after
 *   giving up or being refused);
 * - `connecting`: the first attempt of a series is under way;
 * - `open`: the server accepted the connection (answered `rpc.init`);
 * - `reconnecting`: the connection dropped and the client is waiting or retrying;
 * - `closed`: `$close()` was called; for good.
 */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Reconnection with exponential backoff and full jitter. */
export interface RetryOptions {
  /** The cap of the first delay, in ms. Default {@link DEFAULT_RETRY}. */
  initialDelayMs?: number;
  /** The largest cap any delay can have, in ms. */
  maxDelayMs?: number;
  /** Consecutive failed attempts before giving up (waiting work then fails). `Infinity`: never. */
  maxAttempts?: number;
}

/**
 * Defaults of {@link RetryOptions}: the n-th consecutive failure waits a random time in
 * [0, min(10 s, 250 ms × 2ⁿ)), and the client never gives up.
 */
export const DEFAULT_RETRY: Required<RetryOptions> = {
  initialDelayMs: 250,
  maxDelayMs: 10_000,
  maxAttempts: Infinity,
};

/**
 * How often, in ms, an open connection that has been silent sends `rpc.ping`: 15 s. With
 * no traffic at all for a further interval, the connection is declared dead and replaced,
 * so a half-open connection is found within about two intervals.
 */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 15_000;

/**
 * How long one connection attempt may take, in ms, from opening the socket to the
 * server's answer to `rpc.init`, before it is abandoned as failed: 10 s. It catches
 * routes that swallow the handshake, where no close event would ever come.
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** How long `close()` waits for the closing handshake, in ms, before it drops the socket: 1 s. */
const CLOSE_GRACE_MS = 1_000;

/** What the connection tells the client that owns it. */
export interface ConnectionHooks {
  /** The socket opened and `rpc.init` is sent: send what waits. */
  onOpen(): void;
  /** A frame arrived, parsed. One that is not JSON is dropped. */
  onMessage(message: unknown): void;
  /**
   * The socket closed without `close()`, or an attempt failed. Returns whether to
   * reconnect: the client says no when `givingUp` (`maxAttempts` consecutive attempts
   * failed), when the server refused it (4401/4403) or, lazily, when nothing waits.
   */
  onDrop(code: number, reason: string, givingUp: boolean): boolean;
}

/** The client's socket, as {@link createConnection} gives it. */
export interface Connection {
  readonly state: ConnectionState;
  /** Calls `listener` on every change of `state`. Returns a function that stops it. */
  onStateChange(listener: (state: ConnectionState) => void): () => void;
  /** The server answered `rpc.init`: the connection counts, and the backoff starts over. */
  accepted(): void;
  /**
   * Sends on the open socket. Without one it sends nothing and returns false, and an idle
   * connection (a lazy client's, or one that gave up) starts connecting: what waits is
   * sent once it opens.
   */
  send(text: string): boolean;
  /** Closes the socket quietly and goes idle (a lazy client with nothing to do). Not after `close()`. */
  disconnect(): void;
  /** Closes for good with 1000 and resolves once the socket has closed. */
  close(): Promise<void>;
}

/** The frame a heartbeat sends. Its string id can never clash with the client's numeric ones. */
const PING_FRAME = encodeRequest('ping', PING);

/** Whether a delay option turns its timer on: a positive, finite number of ms. */
const isDelay = (ms: number) => ms > 0 && ms < Infinity;

/** Drops a socket without waiting for a closing handshake that may never come. */
function terminate(socket: WebSocketLike & { terminate?(): void }, reason: string): void {
  // ws has terminate(); a browser socket can only close.
  if (socket.terminate) socket.terminate();
  else socket.close(NORMAL, reason);
}

/**
 * The client's socket: opens it (at once, or at the first send when `lazy`; asking for the
 * URL and connection params afresh each time, and greeting the server with `rpc.init`),
 * reconnects with backoff and jitter when it drops, and watches it with heartbeats. It
 * knows nothing of calls; the client decides what to send when a socket opens.
 *
 * @throws TypeError when no WebSocket implementation is available.
 */
export function createConnection(options: ClientOptions, hooks: ConnectionHooks): Connection {
  // The one given, else the platform's; Node 20 has none.
  const WebSocket =
    options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!WebSocket) throw new TypeError('No WebSocket: pass one to createClient({ WebSocket })');
  const { initialDelayMs, maxDelayMs, maxAttempts } = { ...DEFAULT_RETRY, ...options.retry };
  const heartbeatMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const listeners = new Set<(state: ConnectionState) => void>();
  let socket: WebSocketLike | undefined;
  let state: ConnectionState = 'idle';
  /** Consecutive attempts that did not reach acceptance; reset only by `accepted()`. */
  let failures = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  let connectTimer: ReturnType<typeof setTimeout> | undefined;
  /** Heartbeat intervals since the last frame arrived. */
  let silent = 0;
  let closed: Promise<void> | undefined;

  const setState = (next: ConnectionState) => {
    // Closed is for good.
    if (state === next || state === 'closed') return;
    state = next;
    for (const listener of listeners) listener(next);
  };

  const attempt = async () => {
    try {
      const [url, connectionParams] = await Promise.all([
        resolveLazy(options.url),
        resolveLazy(options.connectionParams),
      ]);
      // Given up meanwhile, or another attempt (a lazy client's, idled and woken) got there first.
      if ((state !== 'connecting' && state !== 'reconnecting') || socket) return;
      // A malformed URL throws here, in every implementation.
      const opened = new WebSocket(String(url));
      socket = opened;
      if (isDelay(connectTimeoutMs)) {
        connectTimer = setTimeout(
          () => abandon(1006, 'Connection attempt timed out'),
          connectTimeoutMs,
        );
      }
      // forget() removes these handlers, so they only ever hear the current socket.
      opened.onopen = () => {
        // Its answer means the server accepted the connection; a refusal closes the socket.
        opened.send(encodeRequest(INIT_ID, INIT, authParams(connectionParams) as Params));
        startHeartbeat();
        hooks.onOpen();
      };
      opened.onmessage = (event: { data: unknown }) => {
        silent = 0;
        let message: unknown;
        try {
          message = JSON.parse(event.data as string);
        } catch {
          return; // Not from a Volley server: nothing to correlate it with.
        }
        hooks.onMessage(message);
      };
      // Every failure also fires close, which is where it is handled.
      opened.onerror = () => {};
      opened.onclose = (event: { code: number; reason: string }) => {
        forget();
        dropped(event.code, event.reason);
      };
    } catch {
      // The URL or connection params could not be had, or the URL is malformed: a failed
      // attempt (1006, abnormal).
      dropped(1006, 'Could not connect');
    }
  };

  const startHeartbeat = () => {
    if (!isDelay(heartbeatMs)) return;
    silent = 0;
    heartbeatTimer = setInterval(() => {
      // Traffic in the last interval: nothing to do. One silent interval: ping. Silent
      // for a whole interval after the ping: the connection is half-open.
      silent += 1;
      if (silent === 2) send(PING_FRAME);
      else if (silent > 2) abandon(HEARTBEAT_TIMEOUT, 'Heartbeat timed out');
    }, heartbeatMs);
  };

  /** Drops the socket without waiting for a closing handshake that may never come. */
  const abandon = (code: number, reason: string) => {
    // The timers that call this stop when the socket is forgotten, so there is one.
    const current = socket as WebSocketLike;
    forget();
    terminate(current, reason);
    dropped(code, reason);
  };

  const forget = () => {
    if (socket) {
      socket.onopen = null;
      socket.onmessage = null;
      socket.onclose = null;
    }
    socket = undefined;
    clearInterval(heartbeatTimer);
    clearTimeout(connectTimer);
  };

  /** A socket (or an attempt at one) is gone: retry with backoff, or stop. */
  const dropped = (code: number, reason: string) => {
    if (state === 'closed') return;
    if (state !== 'open') failures += 1;
    if (!hooks.onDrop(code, reason, failures >= maxAttempts)) {
      setState('idle');
      return;
    }
    setState('reconnecting');
    // Full jitter: a random delay below an exponentially growing cap, so that clients
    // dropped together do not come back together.
    const cap = Math.min(maxDelayMs, initialDelayMs * 2 ** failures);
    retryTimer = setTimeout(() => {
      if (state === 'reconnecting') attempt();
    }, Math.random() * cap);
  };

  /** Starts connecting if idle. A client that is reconnecting or closed is left as it is. */
  const connect = () => {
    if (state !== 'idle') return;
    failures = 0;
    setState('connecting');
    attempt();
  };

  const send = (text: string) => {
    if (socket?.readyState !== OPEN) {
      connect();
      return false;
    }
    socket.send(text);
    return true;
  };

  // A lazy client connects at its first call instead.
  if (!options.lazy) connect();
  return {
    get state() {
      return state;
    },
    onStateChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    accepted() {
      clearTimeout(connectTimer);
      failures = 0;
      setState('open');
    },
    send,
    disconnect() {
      clearTimeout(retryTimer);
      const current = socket;
      forget();
      current?.close(NORMAL, 'Idle');
      setState('idle');
    },
    close() {
      setState('closed');
      clearTimeout(retryTimer);
      clearInterval(heartbeatTimer);
      const current = socket;
      closed ??= new Promise((resolve) => {
        if (!current) return resolve();
        // A stalled peer never completes the closing handshake: drop the socket after a grace.
        const grace = setTimeout(() => {
          if (socket === current) {
            forget();
            terminate(current, 'Client closed');
          }
          resolve();
        }, CLOSE_GRACE_MS);
        current.onclose = () => {
          forget();
          clearTimeout(grace);
          resolve();
        };
        current.close(NORMAL, 'Client closed');
      });
      return closed;
    },
  };
}
