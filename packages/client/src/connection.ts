import { CLOSE_CODES } from '@volley/core';
import { OPEN, type WebSocketConstructor, type WebSocketLike } from './websocket.js';

/** Where the client's socket is. */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'closed';

/** What a connection attempt needs, worked out afresh for each attempt. */
export interface Attempt {
  url: string;
  /** The first frame to send once open (`rpc.init`). */
  greeting: string;
}

interface ConnectionOptions {
  /** Resolves the URL and greeting of a new attempt; may reject to fail it. */
  prepare(): Promise<Attempt>;
  WebSocket: WebSocketConstructor;
  onMessage(text: string): void;
  /** The socket closed without `close()` being called. */
  onLost(code: number, reason: string): void;
}

/**
 * The client's socket: opens it on demand, queues requests until it is open, and
 * reports what arrives and when it drops. It knows nothing of JSON-RPC.
 */
export class ClientConnection {
  readonly #options: ConnectionOptions;
  #socket: WebSocketLike | undefined;
  #state: ConnectionState = 'idle';
  /** Requests waiting for the socket to open, by request id, in send order. */
  readonly #outbox = new Map<number, string>();
  #closed: Promise<void> | undefined;
  #resolveClosed: (() => void) | undefined;

  constructor(options: ConnectionOptions) {
    this.#options = options;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** Opens a socket unless one is open or opening, or the connection was closed. */
  connect(): void {
    if (this.#state !== 'idle') return;
    this.#state = 'connecting';
    this.#options.prepare().then(
      (attempt) => {
        if (this.#state === 'connecting') this.#open(attempt);
      },
      () => {
        // The URL or connection params could not be had: the attempt failed like a
        // refused socket would (1006, abnormal closure).
        if (this.#state !== 'connecting') return;
        this.#state = 'idle';
        this.#outbox.clear();
        this.#options.onLost(1006, 'Could not prepare the connection');
      },
    );
  }

  #open(attempt: Attempt): void {
    let socket: WebSocketLike;
    try {
      socket = new this.#options.WebSocket(attempt.url);
    } catch {
      // A malformed URL throws synchronously in every implementation.
      this.#state = 'idle';
      this.#outbox.clear();
      this.#options.onLost(1006, `Could not open ${attempt.url}`);
      return;
    }
    this.#socket = socket;
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      this.#state = 'open';
      socket.send(attempt.greeting);
      for (const text of this.#outbox.values()) socket.send(text);
      this.#outbox.clear();
    };
    socket.onmessage = (event: { data: unknown }) => {
      if (this.#socket === socket && typeof event.data === 'string') {
        this.#options.onMessage(event.data);
      }
    };
    // Every failure also fires close, which is where it is handled.
    socket.onerror = () => {};
    socket.onclose = (event: { code: number; reason: string }) => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.#outbox.clear();
      if (this.#state === 'closed') {
        this.#resolveClosed?.();
        return;
      }
      this.#state = 'idle';
      this.#options.onLost(event.code, event.reason);
    };
  }

  /**
   * Sends a frame now if the socket is open. Otherwise a request (one with `id`) waits
   * in order for the socket to open; a notification is dropped, as it would only have
   * concerned the socket that is gone.
   */
  send(text: string, id?: number): void {
    if (this.#state === 'open' && this.#socket?.readyState === OPEN) {
      this.#socket.send(text);
      return;
    }
    if (id === undefined || this.#state === 'closed') return;
    this.#outbox.set(id, text);
    this.connect();
  }

  /** Takes a request out of the outbox. Returns whether it was still there (never sent). */
  unqueue(id: number): boolean {
    return this.#outbox.delete(id);
  }

  /** Closes for good with 1000 and resolves once the socket has closed. */
  close(): Promise<void> {
    if (this.#closed !== undefined) return this.#closed;
    this.#state = 'closed';
    this.#outbox.clear();
    const socket = this.#socket;
    if (socket === undefined) {
      this.#closed = Promise.resolve();
      return this.#closed;
    }
    this.#closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    socket.close(CLOSE_CODES.NORMAL, 'Client closed');
    return this.#closed;
  }
}
