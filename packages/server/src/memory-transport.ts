// Two ends of a socket in one process, with no port: the server end is a transport, the
// client end a WebSocket as Volley's client (or a test) uses it. Frames cross as they
// would over a network: in order, a macrotask later, with `bufferedAmount` counting what
// the other end has not read yet, reading that can pause, and a closing handshake.
import type { ServerTransport, TransportEvents, TransportFactory } from './transport.js';
import { utf8Bytes } from './wire.js';

/** A `close` event as the client end reports it. */
export interface MemoryCloseEvent {
  code: number;
  reason: string;
  wasClean: boolean;
}

type Frame = string | Uint8Array;

/** The size of a frame in bytes, as a socket's `bufferedAmount` counts it. */
function sizeOf(frame: Frame): number {
  return typeof frame === 'string' ? utf8Bytes(frame).length : frame.length;
}

/** One direction of the pair: frames written by one end and not yet read by the other. */
class Lane {
  readonly #frames: Frame[] = [];
  /** Bytes written and not yet read. */
  buffered = 0;
  #paused = false;
  #scheduled = false;
  #read: (frame: Frame) => void;
  /** Called after each read, so the writer can see its buffer drain. */
  #afterRead: () => void;

  constructor(read: (frame: Frame) => void, afterRead: () => void) {
    this.#read = read;
    this.#afterRead = afterRead;
  }

  write(frame: Frame): void {
    this.#frames.push(frame);
    this.buffered += sizeOf(frame);
    this.#schedule();
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#schedule();
  }

  /** Stops for good: what was not read is dropped. */
  drop(): void {
    this.#frames.length = 0;
    this.buffered = 0;
    this.#read = () => {};
  }

  #schedule(): void {
    if (this.#scheduled || this.#paused || this.#frames.length === 0) return;
    this.#scheduled = true;
    setTimeout(() => {
      this.#scheduled = false;
      // One "read" delivers what is there, as a TCP read delivers a chunk; a pause in the
      // middle stops the rest.
      while (this.#frames.length > 0 && !this.#paused) {
        const frame = this.#frames.shift() as Frame;
        this.buffered -= sizeOf(frame);
        this.#read(frame);
      }
      this.#afterRead();
    }, 0);
  }
}

/** The client end of an in-memory pair: the part of the WebSocket API Volley's client uses. */
export interface MemoryClientEnd {
  readonly readyState: number;
  readonly bufferedAmount: number;
  /** Sends a text frame, or a binary one (which a JSON connection refuses). */
  send(data: string | Uint8Array): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /** Drops the pair at once, with no closing handshake: as a cable cut, both ends see 1006. */
  terminate(): void;
  /** Stops reading what the server sends (to play a slow client); `resume()` reads again. */
  pause(): void;
  /** Reads what the server sends again, after `pause()`. */
  resume(): void;
  /** Called once, a macrotask after the pair is made, when the server took the connection. */
  onopen: ((event: object) => void) | null;
  /** Called with each frame from the server, in order: text, or bytes. */
  onmessage: ((event: { data: string | Uint8Array }) => void) | null;
  /** Called once when the pair is closed, by either end, however it went. */
  onclose: ((event: MemoryCloseEvent) => void) | null;
  /** Never called: a pair in memory has no transport errors. Here for the WebSocket API's shape. */
  onerror: ((event: object) => void) | null;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/**
 * Makes a connected pair: `server` is the transport factory to hand to the server, and
 * the returned client end opens a macrotask later. A text frame from the client longer
 * than `maxPayload` bytes closes the pair with 1009, as `ws` does.
 */
export function createMemoryPair(maxPayload: number): {
  client: MemoryClientEnd;
  server: TransportFactory;
} {
  let events: TransportEvents | undefined;
  let state = CONNECTING;
  let drain: { threshold: number; callback: () => void } | undefined;

  const checkDrain = () => {
    if (drain !== undefined && (toClient.buffered <= drain.threshold || state === CLOSED)) {
      const { callback } = drain;
      drain = undefined;
      callback();
    }
  };

  /** Both ends are closed: each hears of it once. */
  const finish = (code: number, reason: string, wasClean: boolean) => {
    if (state === CLOSED) return;
    state = CLOSED;
    toServer.drop();
    toClient.drop();
    checkDrain();
    events?.onClose(code);
    client.onclose?.({ code, reason, wasClean });
  };

  /** A close from either end, sent after what that end already wrote. */
  const closeFrom = (lane: Lane, code: number, reason: string) => {
    if (state === CLOSED || state === CLOSING) return;
    state = CLOSING;
    lane.write(new CloseFrame(code, reason));
  };

  const toServer = new Lane(
    (frame) => {
      if (frame instanceof CloseFrame) finish(frame.code, frame.reason, true);
      else {
        const size = sizeOf(frame);
        if (size > maxPayload) {
          events?.observer?.limitHit?.('maxPayload', undefined);
          finish(1009, 'Max payload size exceeded', true);
          return;
        }
        events?.observer?.bytes?.('in', size);
        events?.onMessage(frame);
      }
    },
    () => {},
  );
  const toClient = new Lane((frame) => {
    if (frame instanceof CloseFrame) finish(frame.code, frame.reason, true);
    else client.onmessage?.({ data: frame });
  }, checkDrain);

  const transport: ServerTransport = {
    send(frame) {
      if (state !== OPEN) return;
      toClient.write(frame);
      const observer = events?.observer;
      if (observer?.bytes !== undefined) observer.bytes('out', sizeOf(frame));
    },
    sendJoined(head, tail, binary) {
      if (state !== OPEN) return;
      if (binary) {
        const joined = new Uint8Array(head.length + tail.length);
        joined.set(head);
        joined.set(tail, head.length);
        toClient.write(joined);
        events?.observer?.bytes?.('out', joined.length);
        return;
      }
      const decoder = new TextDecoder();
      toClient.write(decoder.decode(head) + decoder.decode(tail));
      events?.observer?.bytes?.('out', head.length + tail.length);
    },
    close(code, reason) {
      closeFrom(toClient, code, reason);
    },
    terminate() {
      finish(1006, '', false);
    },
    get bufferedAmount() {
      return toClient.buffered;
    },
    pause() {
      toServer.pause();
    },
    resume() {
      toServer.resume();
    },
    onDrain(threshold, callback) {
      drain = { threshold, callback };
      checkDrain();
    },
    // Two ends in one process cannot lose each other without a close: nothing to check.
    heartbeat() {},
  };

  const client: MemoryClientEnd = {
    get readyState() {
      return state;
    },
    get bufferedAmount() {
      return toServer.buffered;
    },
    send(data) {
      if (state === OPEN) toServer.write(data);
    },
    close(code = 1000, reason = '') {
      if (state === CONNECTING) {
        finish(1006, '', false);
        return;
      }
      closeFrom(toServer, code, reason);
    },
    terminate: () => finish(1006, '', false),
    pause: () => toClient.pause(),
    resume: () => toClient.resume(),
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
  };

  return {
    client,
    server(connectionEvents) {
      events = connectionEvents;
      setTimeout(() => {
        if (state !== CONNECTING) return;
        state = OPEN;
        client.onopen?.({});
      }, 0);
      return transport;
    },
  };
}

/** The closing handshake's frame, queued behind the frames sent before it. */
class CloseFrame extends Uint8Array {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(0);
  }
}
