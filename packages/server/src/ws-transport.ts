import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { textFrame } from './text-frame.js';
import type { ServerTransport, TransportEvents, TransportFactory } from './transport.js';
import { type CoalescingState, coalesceWrite } from './write-coalescing.js';

/**
 * The `ws` socket class the server's `WebSocketServer` makes: it carries its transport,
 * so one set of module-level listeners serves every socket. An idle connection then
 * costs one slot here rather than a closure (and its context) per event.
 */
export class VolleySocket extends WebSocket {
  transport: WsTransport | undefined;
}

// ws calls its listeners with the socket as `this`; every socket here is a VolleySocket.
function onMessage(this: WebSocket, data: WebSocket.RawData, isBinary: boolean): void {
  const events = (this as VolleySocket).transport?.events;
  if (events === undefined) return;
  // With the default binaryType, ws hands over one Buffer, fragments joined.
  events.observer?.bytes?.('in', (data as Buffer).length);
  events.onMessage(isBinary ? (data as Buffer) : data.toString());
}

function onClose(this: WebSocket, code: number): void {
  (this as VolleySocket).transport?.closed(code);
}

function onPong(this: WebSocket): void {
  const transport = (this as VolleySocket).transport;
  if (transport !== undefined) transport.awaitingPong = false;
}

/**
 * 'error' precedes 'close'; ws closes the socket itself, and unheard it would throw. A
 * frame over `maxPayload` is one such error, which observers count.
 */
function onError(this: WebSocket, error: Error & { code?: string }): void {
  if (error.code !== 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return;
  (this as VolleySocket).transport?.events.observer?.limitHit?.('maxPayload', undefined);
}

/** A `ws` socket as a {@link ServerTransport}. */
class WsTransport implements ServerTransport, CoalescingState {
  readonly #socket: VolleySocket;
  /** The TCP (or TLS) stream under the WebSocket, which ws writes to. */
  readonly #stream: Duplex;
  writeTick = -1;
  writeCorked = false;
  readonly events: TransportEvents;
  /** A heartbeat ping is out and unanswered. */
  awaitingPong = false;
  /** Who waits for the send queue to drain, and to what level. */
  #drained: (() => void) | undefined;
  #drainThreshold = 0;
  #onWritten: (() => void) | undefined;
  /** Whether frames may be written straight to the stream: see `sendJoined`. */
  readonly #framesItself: boolean;

  constructor(socket: VolleySocket, stream: Duplex, events: TransportEvents) {
    this.#socket = socket;
    this.#stream = stream;
    this.events = events;
    this.#framesItself = socket.extensions === '';
    socket.transport = this;
    socket.on('message', onMessage);
    socket.once('close', onClose);
    socket.on('pong', onPong);
    socket.on('error', onError);
  }

  closed(code: number): void {
    this.#release();
    // ws reports 1005 for a close frame without a code, 1006 for none at all.
    this.events.onClose(code);
  }

  send(frame: string | Uint8Array): void {
    const socket = this.#socket;
    if (socket.readyState !== socket.OPEN) return;
    coalesceWrite(this, this.#stream);
    if (typeof frame !== 'string') {
      socket.send(frame, { binary: true });
      this.events.observer?.bytes?.('out', frame.length);
      return;
    }
    // As bytes, not as a string: Node writes a corked batch of strings (which coalescing
    // makes) by copying them into a block of three bytes per character, held until the
    // whole batch is written, so a peer that stopped reading would hold about three times
    // highWaterMark. Encoding here costs what that copy did.
    const bytes = Buffer.from(frame);
    socket.send(bytes, { binary: false });
    this.events.observer?.bytes?.('out', bytes.length);
  }

  /**
   * The fast path of fan-out: frames `head` + `tail` itself, in one buffer, and writes it
   * to the stream where ws would write it. That keeps the order of ws's own writes only
   * because ws never holds frames back here: with no extension negotiated (no
   * permessage-deflate, which this server never offers), ws writes each frame as it is
   * sent. A socket that did negotiate one goes through ws.
   */
  sendJoined(head: Uint8Array, tail: Uint8Array, binary = false): void {
    const socket = this.#socket;
    if (socket.readyState !== socket.OPEN) return;
    coalesceWrite(this, this.#stream);
    if (this.#framesItself) this.#stream.write(textFrame(head, tail, binary));
    else socket.send(Buffer.concat([head, tail]), { binary });
    this.events.observer?.bytes?.('out', head.length + tail.length);
  }

  close(code: number, reason: string): void {
    this.#socket.close(code, reason);
  }

  terminate(): void {
    this.#socket.terminate();
  }

  heartbeat(): void {
    // The previous ping went unanswered for a whole interval: the peer is gone (half-open).
    if (this.awaitingPong) {
      this.#socket.terminate();
      return;
    }
    this.awaitingPong = true;
    this.#socket.ping();
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

/**
 * Adapts a `ws` socket made by a server with `WebSocket: VolleySocket` (and `stream`, the
 * socket its upgrade came on): the factory a connection is made with.
 */
export function wsTransport(socket: VolleySocket, stream: Duplex): TransportFactory {
  return (events) => new WsTransport(socket, stream, events);
}
