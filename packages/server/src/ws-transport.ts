import type { WebSocket } from 'ws';
import type { ServerTransport, TransportEvents } from './transport.js';

/** 'error' precedes 'close'; ws closes the socket itself, and unheard it would throw. */
function ignore(): void {}

/**
 * A `ws` socket as a {@link ServerTransport}. A class, so that an idle connection costs
 * one small object rather than a closure per method.
 */
class WsTransport implements ServerTransport {
  readonly #socket: WebSocket;
  /** Who waits for the send queue to drain, and to what level. */
  #drained: (() => void) | undefined;
  #drainThreshold = 0;
  #onWritten: (() => void) | undefined;

  constructor(socket: WebSocket, events: TransportEvents) {
    this.#socket = socket;
    socket.on('message', (data, isBinary) => {
      events.message(isBinary ? undefined : data.toString());
    });
    socket.once('close', () => {
      this.#release();
      events.close();
    });
    socket.on('error', ignore);
  }

  send(text: string): void {
    if (this.#socket.readyState === this.#socket.OPEN) this.#socket.send(text);
  }

  close(code: number, reason: string): void {
    // A paused socket could not read the peer's half of the closing handshake.
    this.#socket.resume();
    this.#socket.close(code, reason);
  }

  terminate(): void {
    this.#socket.terminate();
  }

  get bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }

  pause(): void {
    this.#socket.pause();
  }

  resume(): void {
    this.#socket.resume();
  }

  onDrain(threshold: number, callback: () => void): void {
    const socket = this.#socket;
    if (socket.bufferedAmount <= threshold || socket.readyState !== socket.OPEN) {
      this.#drained = undefined;
      callback();
      return;
    }
    const waiting = this.#drained !== undefined;
    this.#drainThreshold = threshold;
    this.#drained = callback;
    // A ping frame queued behind everything else: ws calls its callback once all of it is
    // written out. Sends carry no callback, which would cost Node's stream memory on
    // every socket for the common case.
    this.#onWritten ??= () => this.#written();
    if (!waiting) socket.ping(undefined, undefined, this.#onWritten);
  }

  #written(): void {
    const socket = this.#socket;
    if (this.#drained === undefined) return;
    if (socket.bufferedAmount > this.#drainThreshold && socket.readyState === socket.OPEN) {
      // More was queued meanwhile: wait for that too.
      socket.ping(undefined, undefined, this.#onWritten);
      return;
    }
    this.#release();
  }

  #release(): void {
    const callback = this.#drained;
    this.#drained = undefined;
    callback?.();
  }
}

/** Adapts a `ws` socket to a {@link ServerTransport} and feeds its events to `events`. */
export function wsTransport(socket: WebSocket, events: TransportEvents): ServerTransport {
  return new WsTransport(socket, events);
}
