// A raw MessagePack peer: a ws socket that asks for the `volley.msgpack` subprotocol and
// speaks bytes, as a client in another language would. Frames it receives are decoded
// (binary) or parsed (text, which a binary connection should never get).
import { Packr, Unpackr } from 'msgpackr';
import WebSocket from 'ws';
import { within } from './harness.js';

export const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'bigint' });

/** Packs a value as a plain MessagePack map or array. */
export const pack = (value: unknown): Uint8Array => packr.pack(value);

export interface MsgpackPeer {
  ws: WebSocket;
  /** Sends bytes as they are, or packs anything else. */
  send(frame: unknown): void;
  /** The next frame: decoded from a binary frame, or `{ text }` for a text frame. */
  next(what?: string): Promise<unknown>;
  request(frame: unknown): Promise<unknown>;
  closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

/** Opens a MessagePack peer on `url` (asking for `protocols`, `volley.msgpack` by default). */
export function openMsgpack(url: string, protocols = ['volley.msgpack']): Promise<MsgpackPeer> {
  const ws = new WebSocket(url, protocols);
  const backlog: unknown[] = [];
  const waiters: Array<(frame: unknown) => void> = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  ws.on('error', () => {});
  ws.on('message', (data: Buffer, isBinary) => {
    const frame = isBinary ? unpackr.unpack(data) : { text: data.toString() };
    const waiter = waiters.shift();
    if (waiter) waiter(frame);
    else backlog.push(frame);
  });
  const peer: MsgpackPeer = {
    ws,
    closed,
    send(frame) {
      ws.send(frame instanceof Uint8Array ? frame : pack(frame), { binary: true });
    },
    next(what = 'a frame') {
      if (backlog.length > 0) return Promise.resolve(backlog.shift());
      let waiter!: (frame: unknown) => void;
      const frame = new Promise((resolve) => {
        waiter = resolve;
        waiters.push(resolve);
      });
      return within(frame, what).finally(() => {
        const index = waiters.indexOf(waiter);
        if (index !== -1) waiters.splice(index, 1);
      });
    },
    request(frame) {
      peer.send(frame);
      return peer.next('an answer');
    },
    async close() {
      if (ws.readyState < 2) ws.close();
      await closed;
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(peer));
    ws.once('close', (code) => reject(new Error(`Closed before it opened: ${code}`)));
  });
}
