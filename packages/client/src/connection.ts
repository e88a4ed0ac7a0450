import type { CodecName, InitParams } from '@volley/core';
import type { ClientCodec, EncodeRequest } from './codec.js';
import type { Disconnect } from './disconnect.js';
import {
  type ClientOptions,
  DEFAULT_CLIENT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  RETRY_INITIAL_DELAY_MS,
  RETRY_MAX_ATTEMPTS,
  RETRY_MAX_DELAY_MS,
  resolveLazy,
} from './options.js';
import { FORBIDDEN, HEARTBEAT_TIMEOUT, INIT_ID, Method, NORMAL, UNAUTHORIZED } from './protocol.js';
import { isDelay, later, now } from './timers.js';
import {
  CLOSE_GRACE_MS,
  OPEN,
  type WebSocketConstructor,
  type WebSocketLike,
} from './websocket.js';

/**
 * Where the client's connection is:
 * - `idle`: no socket and not trying (a lazy client before its first call, or after
 *   giving up or being refused);
 * - `connecting`: the first attempt of a series is under way;
 * - `open`: the server accepted the connection (answered `rpc.init`);
 * - `reconnecting`: the connection dropped or an attempt failed, and the client is waiting
 *   or retrying;
 * - `closed`: `$close()` was called; for good.
 */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/**
 * Hears every change of the connection's state. `disconnect` says why the client is not
 * connected: given with `reconnecting`, and with `idle` after giving up or being denied;
 * `undefined` otherwise (`connecting`, `open`, `closed`, and a lazy client idling).
 */
export type StateListener = (state: ConnectionState, disconnect: Disconnect | undefined) => void;

/** The client's socket, as {@link createConnection} gives it. */
export interface Connection {
  /** Where the connection is. */
  _state(): ConnectionState;
  /** Why the last connection or attempt ended (not by the client's choice); kept until the next. */
  _lastDisconnect(): Disconnect | undefined;
  /**
   * Whether the server is unreachable: an attempt of the current series failed and none
   * has been accepted since. False while idle: a new series has not failed yet.
   */
  _unreachable(): boolean;
  /** Calls `listener` on every change of `_state()`. Returns a function that stops it. */
  _onStateChange(listener: StateListener): () => void;
  /** The server answered `rpc.init`: the connection counts, and the backoff starts over. */
  _accepted(): void;
  /**
   * Sends on the open socket. Without one it sends nothing and returns false, and an idle
   * connection (a lazy client's, or one that gave up) starts connecting: what waits is
   * sent once it opens.
   */
  _send(frame: string | Uint8Array): boolean;
  /** Closes the socket quietly and goes idle (a lazy client with nothing to do). Not after `_close()`. */
  _disconnect(): void;
  /** Closes for good with 1000 and resolves once the socket has closed. */
  _close(): Promise<void>;
}

/** Drops a socket without waiting for a closing handshake that may never come. */
function terminate(socket: WebSocketLike & { terminate?(): void }, reason: string): void {
  // ws has terminate(); a browser socket can only close.
  if (socket.terminate) socket.terminate();
  else socket.close(NORMAL, reason);
}

/**
 * The client's socket: opens it (at once, or at the first send when `lazy`; asking for the
 * URL and connection params afresh each time, and greeting the server with `rpc.init`),
 * reconnects with backoff and jitter when it drops, watches it with heartbeats, and says
 * why it is not connected. It knows nothing of calls; the client decides what to send
 * when a socket opens. It tells the client:
 * - `onOpen`: the socket opened and `rpc.init` is sent: send what waits;
 * - `onMessage`: a frame arrived, parsed (one that is not JSON is dropped);
 * - `onDrop`: the socket closed without `_close()`, or an attempt failed. It returns
 *   whether to reconnect: the client says no when `givingUp` (`maxAttempts` consecutive
 *   attempts failed), when the server denied it (4401/4403) or, lazily, when nothing waits.
 *
 * @throws TypeError when no WebSocket implementation is available.
 */
export function createConnection(
  options: ClientOptions<CodecName>,
  onOpen: () => void,
  onMessage: (message: unknown) => void,
  onDrop: (disconnect: Disconnect, givingUp: boolean) => boolean,
  encode: EncodeRequest,
  /** The client's codec, or `JSON`. */
  codec: Pick<ClientCodec, 'parse'> & Partial<Pick<ClientCodec, 'open'>>,
): Connection {
  // The one given, else the platform's; Node 20 has none.
  const WebSocket =
    options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!WebSocket) throw new TypeError('No WebSocket: pass one');
  // Member by member: `{ maxAttempts: undefined }` means the default, as with every option.
  const retry = options.retry;
  const initialDelayMs = retry?.initialDelayMs ?? RETRY_INITIAL_DELAY_MS;
  const maxDelayMs = retry?.maxDelayMs ?? RETRY_MAX_DELAY_MS;
  const maxAttempts = retry?.maxAttempts ?? RETRY_MAX_ATTEMPTS;
  const heartbeatMs = options.heartbeatIntervalMs ?? DEFAULT_CLIENT_HEARTBEAT_INTERVAL_MS;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const listeners = new Set<StateListener>();
  let socket: WebSocketLike | undefined;
  let state: ConnectionState = 'idle';
  let lastDisconnect: Disconnect | undefined;
  /** Consecutive attempts that did not reach acceptance; reset by `_accepted()` and a new series. */
  let failures = 0;
  /**
   * Without a socket, the wait before the next attempt; with an open one, the heartbeat.
   * The two never overlap.
   */
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** From opening the socket to the server's acceptance, the connect timeout. */
  let connectTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the current socket's last frame arrived (or it opened), on the `now()` clock. */
  let lastFrame = 0;
  let closed: Promise<void> | undefined;

  /** Arms `timer`, stopping whatever it was armed for. */
  const arm = (run: () => void, ms: number) => {
    clearTimeout(timer);
    timer = later(run, ms);
  };

  const setState = (next: ConnectionState, disconnect?: Disconnect) => {
    // Closed is for good.
    if (state === next || state === 'closed') return;
    state = next;
    for (const listener of listeners) listener(next, disconnect);
  };

  const attempt = async () => {
    try {
      const [url, connectionParams] = await Promise.all([
        resolveLazy(options.url),
        resolveLazy(options.connectionParams),
      ]);
      // Given up or closed meanwhile, or another attempt (a lazy client's, idled and woken)
      // got there first. (An open connection always has its socket.)
      if (state === 'idle' || state === 'closed' || socket) return;
      // Encoded before there is a socket: connection params that are not JSON (a BigInt)
      // fail this attempt here, as an error the state listeners hear, not in onopen.
      // JSON leaves out connectionParams when undefined: `"params":{}`.
      const init = encode(INIT_ID, Method.INIT, { connectionParams } satisfies InitParams);
      // A malformed URL throws here, in every implementation. A codec opens the socket
      // itself, asking for its subprotocol.
      const opened = codec.open?.(WebSocket, url as string | URL) ?? new WebSocket(String(url));
      // Whether it opened: a browser reports 1006 alike for a socket that never opened and
      // one that dropped, so this is what tells `refused` from `closed`.
      let isOpen = false;
      // What the error event said before the close (ws gives a message, browsers none).
      let failure = '';
      socket = opened;
      if (isDelay(connectTimeoutMs)) {
        connectTimer = later(() => abandon('timeout', 1006, 'Timed out'), connectTimeoutMs);
      }
      // forget() removes these handlers, so they only ever hear the current socket.
      opened.onopen = () => {
        isOpen = true;
        // Its answer means the server accepted the connection; a refusal closes the socket.
        opened.send(init);
        lastFrame = now();
        if (isDelay(heartbeatMs)) arm(watch, heartbeatMs);
        onOpen();
      };
      opened.onmessage = (event: { data: unknown }) => {
        lastFrame = now();
        let message: unknown;
        try {
          // A codec parses its frames as JSON does text.
          message = codec.parse(event.data as string);
        } catch {
          return; // Not from a Volley server: nothing to correlate it with.
        }
        onMessage(message);
      };
      // Every failure also fires close, which is where it is handled.
      opened.onerror = (event: { message?: unknown }) => {
        failure = String(event.message ?? '');
      };
      opened.onclose = ({ code, reason }: { code: number; reason: string }) => {
        forget();
        dropped(
          !isOpen ? 'refused' : code === UNAUTHORIZED || code === FORBIDDEN ? 'denied' : 'closed',
          code,
          reason || failure,
        );
      };
    } catch (error) {
      // The URL or connection params could not be had (or are not JSON), or the URL is
      // malformed: a failed attempt (1006, abnormal).
      dropped('error', 1006, String(error), error);
    }
  };

  /**
   * The heartbeat: one timer and the time of the last frame (so a frame costs a clock
   * read, not a timer). A socket silent for an interval is pinged; one that stays silent
   * for another interval is dead. So a dead connection is found two intervals after its
   * last frame, never three. Only incoming frames count: sending proves nothing.
   */
  const watch = () => {
    const silent = now() - lastFrame;
    // +1: a timer may fire up to a millisecond before the clock reads its deadline (a
    // second look would send a second ping).
    if (silent + 1 >= 2 * heartbeatMs) {
      abandon('heartbeat', HEARTBEAT_TIMEOUT, 'No heartbeat');
      return;
    }
    // Silent for an interval: ping, and look again at the end of the next one. Otherwise
    // (a frame came since, or the timer fired early) look again an interval after the
    // last frame.
    const pinging = silent >= heartbeatMs;
    // The ping's string id can never clash with the client's numeric ones.
    if (pinging) send(encode('ping', Method.PING));
    arm(watch, (pinging ? 2 : 1) * heartbeatMs - silent);
  };

  /** Drops the socket without waiting for a closing handshake that may never come. */
  const abandon = (kind: Disconnect['kind'], code: number, reason: string) => {
    // The timers that call this stop when the socket is forgotten, so there is one.
    terminate(forget() as WebSocketLike, reason);
    dropped(kind, code, reason);
  };

  /** Stops hearing the current socket (if any) and stops the timers. Returns the socket. */
  const forget = () => {
    const current = socket;
    if (current) {
      current.onopen = null;
      current.onmessage = null;
      current.onclose = null;
    }
    socket = undefined;
    clearTimeout(timer);
    clearTimeout(connectTimer);
    return current;
  };

  /** A socket (or an attempt at one) is gone, for a reason: retry with backoff, or stop. */
  const dropped = (kind: Disconnect['kind'], code: number, reason: string, error?: unknown) => {
    if (state === 'closed') return;
    const disconnect: Disconnect = { kind, code, reason, error };
    lastDisconnect = disconnect;
    if (state !== 'open') failures += 1;
    const retrying = onDrop(disconnect, failures >= maxAttempts);
    // Full jitter: a random delay below an exponentially growing cap, so that clients
    // dropped together do not come back together. Leaving `reconnecting` (for idle or
    // closed) clears it.
    if (retrying)
      arm(attempt, Math.random() * Math.min(maxDelayMs, initialDelayMs * 2 ** failures));
    setState(retrying ? 'reconnecting' : 'idle', disconnect);
  };

  /** Starts connecting if idle. A client that is reconnecting or closed is left as it is. */
  const connect = () => {
    if (state !== 'idle') return;
    failures = 0;
    setState('connecting');
    attempt();
  };

  const send = (frame: string | Uint8Array) => {
    if (socket?.readyState !== OPEN) {
      connect();
      return false;
    }
    socket.send(frame);
    return true;
  };

  // A lazy client connects at its first call instead.
  if (!options.lazy) connect();
  return {
    _state: () => state,
    _lastDisconnect: () => lastDisconnect,
    _unreachable: () => failures > 0 && state !== 'idle',
    _onStateChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    _accepted() {
      clearTimeout(connectTimer);
      failures = 0;
      setState('open');
    },
    _send: send,
    _disconnect() {
      forget()?.close(NORMAL);
      setState('idle');
    },
    _close() {
      setState('closed');
      // Whatever arrives now has nobody to go to.
      const current = forget();
      // biome-ignore lint/suspicious/noAssignInExpressions: `??=` gives the promise, made now or before: fewer bytes in the browser bundle.
      return (closed ??= new Promise((resolve) => {
        if (!current) return resolve();
        // A stalled peer never completes the closing handshake: drop the socket after a grace.
        const grace = setTimeout(() => {
          terminate(current, 'Client closed');
          resolve();
        }, CLOSE_GRACE_MS);
        current.onclose = () => {
          clearTimeout(grace);
          resolve();
        };
        current.close(NORMAL, 'Client closed');
      }));
    },
  };
}
