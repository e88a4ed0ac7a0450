// The protocol constants the client uses. Each is typed from its table in @volley/core,
// so the two cannot drift apart (a changed value fails the type check), while esbuild
// inlines each literal where it is used instead of shipping the tables to the browser.
import type { CLOSE_CODES, ERROR_CODES, InitParams, METHODS } from '@volley/core';

type Close = typeof CLOSE_CODES;
type Method = typeof METHODS;

export const NORMAL: Close['NORMAL'] = 1000;
export const HEARTBEAT_TIMEOUT: Close['HEARTBEAT_TIMEOUT'] = 4000;
export const UNAUTHORIZED: Close['UNAUTHORIZED'] = 4401;
export const FORBIDDEN: Close['FORBIDDEN'] = 4403;

/** The JSON-RPC number of an error from the server that is not a JSON-RPC error object. */
export const INTERNAL_ERROR: (typeof ERROR_CODES)['INTERNAL_ERROR'] = -32603;

export const INIT: Method['INIT'] = 'rpc.init';
export const PING: Method['PING'] = 'rpc.ping';
export const AUTH: Method['AUTH'] = 'rpc.auth';
export const CANCEL: Method['CANCEL'] = 'rpc.cancel';
export const RESUME: Method['RESUME'] = 'rpc.resume';
export const EVENT: Method['EVENT'] = 'rpc.event';
export const COMPLETE: Method['COMPLETE'] = 'rpc.complete';
export const ERROR: Method['ERROR'] = 'rpc.error';

/**
 * The id of `rpc.init`, the first message on every socket. Calls are numbered from 1,
 * so its answer is never taken for theirs.
 */
export const INIT_ID = 0;

/** `params` of `rpc.init` and `rpc.auth`. */
export const authParams = (connectionParams: unknown): InitParams =>
  connectionParams === undefined ? {} : { connectionParams };
