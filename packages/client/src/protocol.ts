// The protocol constants the client uses. Each is checked against its table in
// @volley/core, so the two cannot drift apart (a changed value fails the type check),
// while the build inlines each value where it is used instead of shipping the tables to
// the browser.
import type { CLOSE_CODES, ERROR_CODES, METHODS } from '@volley/core';

type Close = typeof CLOSE_CODES;

export const NORMAL: Close['NORMAL'] = 1000;
export const HEARTBEAT_TIMEOUT: Close['HEARTBEAT_TIMEOUT'] = 4000;
export const UNAUTHORIZED: Close['UNAUTHORIZED'] = 4401;
export const FORBIDDEN: Close['FORBIDDEN'] = 4403;

/** The JSON-RPC number of an error from the server that is not a JSON-RPC error object. */
export const INTERNAL_ERROR: (typeof ERROR_CODES)['INTERNAL_ERROR'] = -32603;

/** The answer to a request from the server when the client has no handlers. */
export const METHOD_NOT_FOUND: (typeof ERROR_CODES)['METHOD_NOT_FOUND'] = -32601;

/**
 * The methods the client sends or reads. An enum rather than string constants because
 * the build inlines an enum's members where they are used, where it would keep a long
 * string constant as a variable of the bundle.
 */
export enum Method {
  INIT = 'rpc.init',
  PING = 'rpc.ping',
  AUTH = 'rpc.auth',
  CANCEL = 'rpc.cancel',
  RESUME = 'rpc.resume',
  EVENT = 'rpc.event',
  COMPLETE = 'rpc.complete',
  ERROR = 'rpc.error',
}

/** Compiles only while each member of {@link Method} has the value core's `METHODS` gives it. */
type SameAsCore<T extends { [K in keyof typeof Method]: `${(typeof Method)[K]}` }> = T;
export type MethodsOfCore = SameAsCore<Pick<typeof METHODS, keyof typeof Method>>;

/**
 * The id of `rpc.init`, the first message on every socket. Calls are numbered from 1,
 * so its answer is never taken for theirs.
 */
export const INIT_ID = 0;
