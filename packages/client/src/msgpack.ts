// @volley/client/msgpack: the MessagePack codec, a separate entry so that the default
// client bundle carries no MessagePack code. Pass it as `createClient({ codec: msgpack })`.
import { Packr, Unpackr } from 'msgpackr';
import type { ClientCodec } from './codec.js';

// As the server's codec: plain maps, undefined members left out and undefined elements
// as nil (as JSON does), bytes as bin, Dates as timestamps.
const packr = new Packr({
  useRecords: false,
  encodeUndefinedAsNil: true,
  // In msgpackr's code, not yet in its types.
  skipValues: [undefined],
} as ConstructorParameters<typeof Packr>[0]);
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

/**
 * The MessagePack codec (subprotocol `volley.msgpack`): requests, responses and events keep
 * their JSON-RPC shape as MessagePack maps in binary frames, so a `Uint8Array` in params,
 * results and events travels as bytes. Use with a server given `codecs: [msgpack]` from
 * `@volley/server/msgpack`, and type the client for it:
 *
 * @example
 * const client = createClient<AppRouter, 'msgpack'>({ url, codec: msgpack });
 */
export const msgpack: ClientCodec<'msgpack'> = {
  name: 'msgpack',
  protocol: 'volley.msgpack',
  open(WebSocket, url) {
    const socket = new WebSocket(String(url), 'volley.msgpack');
    socket.binaryType = 'arraybuffer';
    return socket;
  },
  // A copy: msgpackr's output shares its buffer with what it encodes next, and a request
  // may wait in the table to be sent again.
  stringify: (message) => packr.pack(message).slice(),
  parse(data) {
    if (typeof data === 'string') throw new TypeError('A text frame on a msgpack connection');
    return unpackr.unpack(
      data instanceof ArrayBuffer ? new Uint8Array(data) : (data as Uint8Array),
    );
  },
};
