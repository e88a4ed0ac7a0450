// @volley/server/msgpack: the opt-in MessagePack codec, a separate entry so that a server
// without it never loads msgpackr.
export { MSGPACK_SUBPROTOCOL, msgpack } from './codec-msgpack.js';
