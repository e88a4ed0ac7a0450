import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import type { ServerTransport, TransportEvents } from './transport.js';

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
  (this as VolleySocket).transport?.events.onMessage(isBinary ? undefined : data.toString());
}

function onClose(this: WebSocket): void {
  (this as VolleySocket).transport?.closed();
}

function onPong(this: WebSocket): void {
  const transport = (this as VolleySocket).transport;
  if (transport !== undefined) transport.awaitingPong = false;
}

/** 'error' precedes 'close'; ws closes the socket itself, and unheard it would throw. */
function ignore(): void {}

// Write coalescing. The first frame a socket sends in a tick goes out at once; from the
// second on, the socket is corked, and every corked socket is uncorked together when the
// tick's work (microtasks included) is done. So answers to pipelined requests that are
// ready in the same tick leave in one write, and a lone answer is never held back.
/** Counts ticks in which something was sent, so a transport knows whether it sent in this one. */
let tick = 0;
let flushScheduled = false;
let corked: Duplex[] = [];

function endTick(): void {
  flushScheduled = false;
  tick++;
  const sockets = corked;
  corked = [];
  for (const socket of sockets) socket.uncork();
}

/** A `ws` socket as a {@link ServerTransport}. */
class WsTransport implements ServerTransport {
  readonly #socket: VolleySocket;
  /** The TCP (or TLS) stream under the WebSocket, which ws writes to. */
  readonly #stream: Duplex;
  /** The last tick this transport sent in, and whether it corked its stream in it. */
  #tick = -1;
  #corked = false;
  readonly events: TransportEvents;
  /** A heartbeat ping is out and unanswered. */
  awaitingPong = false;
  /** Who waits for the send queue to drain, and to what level. */
  #drained: (() => void) | undefined;
  #drainThreshold = 0;
  #onWritten: (() => void) | undefined;

  constructor(socket: VolleySocket, stream: Duplex, events: TransportEvents) {
    this.#socket = socket;
    this.#stream = stream;
    this.events = events;
    socket.transport = this;
    socket.on('message', onMessage);
    socket.once('close', onClose);
    socket.on('pong', onPong);
    socket.on('error', ignore);
  }

  closed(): void {
    this.#release();
    this.events.onClose();
  }

  send(text: string): void {
    const socket = this.#socket;
    if (socket.readyState !== socket.OPEN) return;
    this.#coalesce();
    socket.send(text);
  }

  /**
   * Frames `head` + `tail` itself and writes the frame straight to the stream, where ws
   * would write it: a final, unmasked text frame (RFC 6455, section 5.2). This server's
   * ws never compresses or queues frames (no permessage-deflate), so order is kept.
   */
  sendJoined(head: Uint8Array, tail: Uint8Array): void {
    const socket = this.#socket;
    if (socket.readyState !== socket.OPEN) return;
    this.#coalesce();
    const length = head.length + tail.length;
    const offset = length < 126 ? 2 : length < 65_536 ? 4 : 10;
    const frame = Buffer.allocUnsafe(offset + length);
    frame[0] = 0x81; // FIN, text
    if (offset === 2) frame[1] = length;
    else if (offset === 4) {
      frame[1] = 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 127;
      frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
      frame.writeUInt32BE(length >>> 0, 6);
    }
    frame.set(head, offset);
    frame.set(tail, offset + head.length);
    this.#stream.write(frame);
  }

  /** Counts this send towards the tick's write coalescing (see `endTick`). */
  #coalesce(): void {
    if (this.#tick !== tick) {
      this.#tick = tick;
      this.#corked = false;
      if (!flushScheduled) {
        flushScheduled = true;
        process.nextTick(endTick);
      }
    } else if (!this.#corked) {
      this.#corked = true;
      this.#stream.cork();
      corked.push(this.#stream);
    }
  }

  close(code: number, reason: string): void {
    // A paused socket could not read the peer's half of the closing handshake.
    this.#socket.resume();
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
 * socket its upgrade came on) and feeds its events to `events`.
 */
export function wsTransport(
  socket: VolleySocket,
  stream: Duplex,
  events: TransportEvents,
): ServerTransport {
  return new WsTransport(socket, stream, events);
}
