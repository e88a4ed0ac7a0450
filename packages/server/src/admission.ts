// The limits a frame must pass before it is parsed: the peer is not behind (else the
// frame waits), the rate limit, nesting depth and batch length. What passes goes to dispatch.
import { CLOSE_CODES } from '@volley/core';
import { admitBinary, refuseText } from './binary-admission.js';
import type { Connection } from './connection.js';
import { dispatchFrame } from './dispatch.js';
import { FrameQueue } from './frame-queue.js';
import { scanFrame, TOO_DEEP, withinValues } from './frame-scan.js';
import type { Limits } from './limits.js';
import {
  batchTooLong,
  rateLimitedBinary,
  rateLimitedReply,
  tooDeep,
  tooManyValues,
} from './refusals.js';
import { BINARY_FRAME_TEXT } from './replies.js';
import { TokenBucket } from './token-bucket.js';

/**
 * A frame of an accepted connection. The state this step keeps lives on the connection
 * (`bucket`, `held`): an object of its own would cost every idle connection its header.
 */
export function admit(connection: Connection, frame: string | Uint8Array): void {
  // Answering it now would queue more for a peer that is not reading: it waits instead.
  if (
    connection.outbound.congested ||
    (connection.held !== undefined && connection.held.length > 0)
  ) {
    hold(connection, frame);
    return;
  }
  admitNow(connection, frame);
}

function hold(connection: Connection, frame: string | Uint8Array): void {
  connection.held ??= new FrameQueue();
  connection.held.push(frame);
  // The socket is paused, so only frames it had already read arrive here: about one
  // read's worth. Twice the largest frame means the transport does not pause: stop it.
  if (connection.held.size > 2 * connection.config.limits.maxPayload) {
    connection.config.observer?.limitHit?.('maxPayload', connection.id);
    connection.close(
      CLOSE_CODES.POLICY_VIOLATION,
      'Too much sent while the server was holding back',
    );
  }
}

/** The peer caught up: serve the held frames in order, until it falls behind again. */
export function serveHeld(connection: Connection): void {
  const held = connection.held;
  if (held === undefined) return;
  while (held.length > 0 && !connection.outbound.congested && !connection.isClosed) {
    // Served as it arrived: a frame may even start a handshake again (rpc.auth).
    const frame = held.shift();
    if (connection.handshake !== undefined) connection.handshake.receive(frame);
    else admitNow(connection, frame);
  }
  if (held.length === 0) connection.held = undefined;
}

/** The rate limit's bucket for a new connection; `undefined` when there is none. */
export function bucketFor(connection: { config: { limits: Limits } }): TokenBucket | undefined {
  const { rateLimit } = connection.config.limits;
  return rateLimit === false ? undefined : new TokenBucket(rateLimit);
}

function admitNow(connection: Connection, frame: string | Uint8Array): void {
  const bucket = connection.bucket;
  const { limits } = connection.config;
  const outbound = connection.outbound;
  if (typeof frame !== 'string') {
    // binary frame on a binary connection: its own limits, before it is decoded
    if (connection.codec.binary) admitBinary(connection, frame, bucket);
    // binary frame on a JSON connection → {"id":null,"error":{"code":-32600,...}}
    else if (bucket?.take(1) ?? true) outbound.send(BINARY_FRAME_TEXT);
    else if (limits.rateLimit !== false) {
      connection.config.observer?.limitHit?.('rateLimit', connection.id);
      outbound.send(rateLimitedBinary(limits.rateLimit));
    }
    return;
  }
  // text frame on a binary connection → the same error, in the connection's codec
  if (connection.codec.binary) {
    refuseText(connection, bucket);
    return;
  }
  const text = frame;
  // Limits that must hold before the text is parsed: depth and batch length. Every
  // message costs a token, refused or not.
  const count = scanFrame(text, limits.maxDepth);
  const admitted = bucket?.take(count > 0 ? count : 1) ?? true;
  // {"id":1,"params":[[[[...]]]]} → {"id":1,"error":{"code":-32013,"data":{"limit":"maxDepth"}}}
  if (count === TOO_DEEP) {
    connection.config.observer?.limitHit?.('maxDepth', connection.id);
    outbound.send(tooDeep(text, limits.maxDepth));
    return;
  }
  // [1001 messages] → {"id":null,"error":{"code":-32013,"data":{"limit":"maxBatchLength"}}}
  if (count > limits.maxBatchLength) {
    connection.config.observer?.limitHit?.('maxBatchLength', connection.id);
    outbound.send(batchTooLong(count, limits.maxBatchLength));
    return;
  }
  // [0,0,0,... 20,000 values] → {"id":1,"error":{"code":-32013,"data":{"limit":"maxValues"}}}
  if (!withinValues(text, limits.maxValues)) {
    connection.config.observer?.limitHit?.('maxValues', connection.id);
    outbound.send(tooManyValues(text, limits.maxValues));
    return;
  }
  // over the rate limit: {"id":1,"error":{"code":-32029,"data":{"limit":"rateLimit"}}}
  if (!admitted) {
    connection.config.observer?.limitHit?.('rateLimit', connection.id);
    const reply = limits.rateLimit === false ? undefined : rateLimitedReply(text, limits.rateLimit);
    if (reply !== undefined) outbound.send(reply);
    return;
  }
  dispatchFrame(connection, text);
}
