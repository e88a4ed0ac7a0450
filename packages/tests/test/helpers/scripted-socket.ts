// An in-memory WebSocket for fake-timer tests of the client's connection logic (backoff,
// heartbeats, lazy idling). It implements the browser WebSocket API the client uses;
// the test plays the server by hand. End-to-end behaviour is tested on real sockets.
import type { WebSocketLike } from '@volley/client';
import { afterEach, beforeEach, vi } from 'vitest';

type Handler = ((event: never) => void) | null;

export class ScriptedSocket implements WebSocketLike {
  static readonly made: ScriptedSocket[] = [];
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 3;

  readyState = ScriptedSocket.CONNECTING;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  closedWith: number | undefined;
  onopen: unknown = null;
  onmessage: unknown = null;
  onclose: unknown = null;
  onerror: unknown = null;

  constructor(readonly url: string) {
    ScriptedSocket.made.push(this);
  }

  static reset(): void {
    ScriptedSocket.made.length = 0;
  }

  static get last(): ScriptedSocket {
    const socket = ScriptedSocket.made.at(-1);
    if (socket === undefined) throw new Error('No socket was made');
    return socket;
  }

  #fire(name: 'onopen' | 'onmessage' | 'onclose', event: object): void {
    const handler = this[name] as Handler;
    (handler as ((event: object) => void) | null)?.(event);
  }

  send(data: string): void {
    if (this.readyState !== ScriptedSocket.OPEN)
      throw new Error('send() on a socket that is not open');
    this.sent.push(data);
  }

  close(code = 1000): void {
    this.closedWith = code;
    this.drop(code);
  }

  /** The server side: the socket opens. */
  open(): void {
    this.readyState = ScriptedSocket.OPEN;
    this.#fire('onopen', {});
  }

  /** The server side: a text frame arrives. */
  receive(message: unknown): void {
    this.#fire('onmessage', {
      data: typeof message === 'string' ? message : JSON.stringify(message),
    });
  }

  /** Answers the client's rpc.init, accepting the connection. */
  accept(): void {
    const init = this.sent.map((text) => JSON.parse(text)).find((m) => m.method === 'rpc.init');
    if (init === undefined) throw new Error('The client sent no rpc.init');
    this.receive({ jsonrpc: '2.0', id: init.id, result: { connectionId: 'c', protocol: 1 } });
  }

  /** The server side (or the network): the socket closes. */
  drop(code = 1006, reason = ''): void {
    if (this.readyState === ScriptedSocket.CLOSED) return;
    this.readyState = ScriptedSocket.CLOSED;
    this.#fire('onclose', { code, reason });
  }

  /** Requests the client sent, parsed, by method. */
  requests(method: string): Array<{ id?: unknown; params?: unknown }> {
    return this.sent.map((text) => JSON.parse(text)).filter((m) => m.method === method);
  }
}

/**
 * Registers the hooks every ScriptedSocket test file needs: fake timers and a fresh
 * socket log before each test; after it, the client `current()` gives (if any) closed,
 * its sockets dropped so the close completes, `reset()` called, and real timers back.
 */
export function useScriptedSockets(
  current: () => { $close(): Promise<void> } | undefined,
  reset: () => void,
): void {
  beforeEach(() => {
    vi.useFakeTimers();
    ScriptedSocket.reset();
  });
  afterEach(async () => {
    const closing = current()?.$close();
    // Let a socket closed by $close report it, then settle.
    for (const socket of ScriptedSocket.made) socket.drop(1000);
    await closing;
    reset();
    vi.useRealTimers();
  });
}
