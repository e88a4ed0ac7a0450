import { CLOSE_CODES } from '@volley/core';
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
  maxAttempts: Number.POSITIVE_INFINITY,
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

/** What a connection attempt needs, worked out afresh for each attempt. */
export interface Attempt {
  url: string;
  /** The first frame to send once open (`rpc.init`). */
  greeting: string;
}

/** What the connection asks of, and tells, the client that owns it. */
export interface ConnectionHooks {
  /** Resolves the URL and greeting of a new attempt; may reject to fail it. */
  prepare(): Promise<Attempt>;
  /** The socket opened and the greeting is sent: send what waits. */
  onOpen(): void;
  onMessage(text: string): void;
  /**
   * The socket closed without `close()`. Returns whether to reconnect: the client says
   * no when the server refused it (4401/4403) or, lazily, when nothing waits.
   */
  onDrop(code: number, reason: string): boolean;
  /** `maxAttempts` consecutive attempts failed: the client stops trying. */
  onGiveUp(code: number, reason: string): void;
  onStateChange(state: ConnectionState): void;
}

/** The frame a heartbeat sends. Its string id can never clash with the client's numeric ones. */
const PING = '{"jsonrpc":"2.0","id":"ping","method":"rpc.ping"}';

/**
 * The client's socket: opens it, reconnects with backoff and jitter when it drops, and
 * watches it with heartbeats. It knows nothing of calls; the client decides what to
 * send when a socket opens.
 */
export class ClientConnection {
  readonly #hooks: ConnectionHooks;
  readonly #WebSocket: WebSocketConstructor;
  readonly #retry: Required<RetryOptions>;
  readonly #heartbeatMs: number;
  #socket: WebSocketLike | undefined;
  #state: ConnectionState = 'idle';
  /** Consecutive attempts that did not reach acceptance; reset only by `accepted()`. */
  #failures = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #connectTimeoutMs: number;
  #heard = false;
  #pinged = false;
  #closed: Promise<void> | undefined;
  #resolveClosed: (() => void) | undefined;

  constructor(
    hooks: ConnectionHooks,
    WebSocket: WebSocketConstructor,
    retry: RetryOptions = {},
    heartbeatMs = DEFAULT_HEARTBEAT_INTERVAL_MS,
    connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS,
  ) {
    this.#connectTimeoutMs = connectTimeoutMs;
    this.#hooks = hooks;
    this.#WebSocket = WebSocket;
    this.#retry = { ...DEFAULT_RETRY, ...retry };
    this.#heartbeatMs = heartbeatMs;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** Whether a frame sent now goes straight onto an open socket. */
  get writable(): boolean {
    return this.#socket?.readyState === OPEN;
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#hooks.onStateChange(state);
  }

  /** Starts connecting if idle. A client that is reconnecting or closed is left as it is. */
  connect(): void {
    if (this.#state !== 'idle') return;
    this.#failures = 0;
    this.#setState('connecting');
    this.#attempt();
  }

  /** The server answered `rpc.init`: the connection counts, and the backoff starts over. */
  accepted(): void {
    if (this.#socket === undefined || this.#state === 'closed') return;
    clearTimeout(this.#connectTimer);
    this.#failures = 0;
    this.#setState('open');
  }

  /** Sends on the open socket; returns false (sending nothing) when there is none. */
  send(text: string): boolean {
    if (this.#socket?.readyState !== OPEN) return false;
    this.#socket.send(text);
    return true;
  }

  #attempt(): void {
    this.#hooks.prepare().then(
      (attempt) => {
        if (this.#state === 'connecting' || this.#state === 'reconnecting') this.#open(attempt);
      },
      // The URL or connection params could not be had: a failed attempt (1006, abnormal).
      () => this.#dropped(1006, 'Could not prepare the connection'),
    );
  }

  #open(attempt: Attempt): void {
    let socket: WebSocketLike;
    try {
      socket = new this.#WebSocket(attempt.url);
    } catch {
      // A malformed URL throws synchronously in every implementation.
      this.#dropped(1006, `Could not open ${attempt.url}`);
      return;
    }
    this.#socket = socket;
    if (this.#connectTimeoutMs > 0 && Number.isFinite(this.#connectTimeoutMs)) {
      this.#connectTimer = setTimeout(() => {
        if (this.#socket === socket) this.#abandon(1006, 'Connection attempt timed out');
      }, this.#connectTimeoutMs);
    }
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      socket.send(attempt.greeting);
      this.#startHeartbeat();
      this.#hooks.onOpen();
    };
    socket.onmessage = (event: { data: unknown }) => {
      if (this.#socket !== socket) return;
      this.#heard = true;
      this.#pinged = false;
      if (typeof event.data === 'string') this.#hooks.onMessage(event.data);
    };
    // Every failure also fires close, which is where it is handled.
    socket.onerror = () => {};
    socket.onclose = (event: { code: number; reason: string }) => {
      if (this.#socket !== socket) return;
      this.#forget();
      if (this.#state === 'closed') this.#resolveClosed?.();
      else this.#dropped(event.code, event.reason);
    };
  }

  #startHeartbeat(): void {
    if (!(this.#heartbeatMs > 0 && Number.isFinite(this.#heartbeatMs))) return;
    this.#heard = true;
    this.#pinged = false;
    this.#heartbeatTimer = setInterval(() => {
      if (this.#heard) {
        this.#heard = false;
        return;
      }
      if (this.#pinged) {
        // Silent for a whole interval after a ping: the connection is half-open.
        this.#abandon(CLOSE_CODES.HEARTBEAT_TIMEOUT, 'Heartbeat timed out');
        return;
      }
      this.#pinged = this.send(PING);
    }, this.#heartbeatMs);
  }

  /** Drops the socket without waiting for a closing handshake that may never come. */
  #abandon(code: number, reason: string): void {
    const socket = this.#socket;
    if (socket === undefined) return;
    this.#forget();
    const terminate = (socket as { terminate?: () => void }).terminate;
    if (typeof terminate === 'function') terminate.call(socket);
    else socket.close(CLOSE_CODES.NORMAL, reason);
    this.#dropped(code, reason);
  }

  #forget(): void {
    if (this.#socket !== undefined) {
      this.#socket.onopen = null;
      this.#socket.onmessage = null;
      this.#socket.onclose = null;
    }
    this.#socket = undefined;
    clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = undefined;
    clearTimeout(this.#connectTimer);
  }

  /** A socket (or an attempt at one) is gone: retry with backoff, or stop. */
  #dropped(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    const wasOpen = this.#state === 'open';
    if (!wasOpen) this.#failures += 1;
    if (!this.#hooks.onDrop(code, reason)) {
      this.#setState('idle');
      return;
    }
    if (this.#failures >= this.#retry.maxAttempts) {
      this.#setState('idle');
      this.#hooks.onGiveUp(code, reason);
      return;
    }
    this.#setState('reconnecting');
    // Full jitter: a random delay below an exponentially growing cap, so that clients
    // dropped together do not come back together.
    const cap = Math.min(this.#retry.maxDelayMs, this.#retry.initialDelayMs * 2 ** this.#failures);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#state === 'reconnecting') this.#attempt();
    }, Math.random() * cap);
  }

  /** Closes the socket quietly and goes idle (a lazy client with nothing to do). */
  disconnect(): void {
    if (this.#state === 'closed') return;
    clearTimeout(this.#retryTimer);
    const socket = this.#socket;
    this.#forget();
    socket?.close(CLOSE_CODES.NORMAL, 'Idle');
    this.#setState('idle');
  }

  /** Closes for good with 1000 and resolves once the socket has closed. */
  close(): Promise<void> {
    if (this.#closed !== undefined) return this.#closed;
    this.#setState('closed');
    clearTimeout(this.#retryTimer);
    clearInterval(this.#heartbeatTimer);
    const socket = this.#socket;
    if (socket === undefined) {
      this.#closed = Promise.resolve();
      return this.#closed;
    }
    this.#closed = new Promise((resolve) => {
      // A stalled peer never completes the closing handshake: drop the socket after a grace.
      const grace = setTimeout(() => {
        if (this.#socket !== socket) return;
        this.#forget();
        const terminate = (socket as { terminate?: () => void }).terminate;
        if (typeof terminate === 'function') terminate.call(socket);
        resolve();
      }, CLOSE_GRACE_MS);
      this.#resolveClosed = () => {
        clearTimeout(grace);
        resolve();
      };
    });
    socket.close(CLOSE_CODES.NORMAL, 'Client closed');
    return this.#closed;
  }
}
