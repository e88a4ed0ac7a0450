import type { ErrorCodeName } from './codes.js';

/**
 * A JSON-RPC 2.0 request id. Volley's client uses integer counters; other clients
 * may use strings. `null` is allowed by the spec but cannot be cancelled or used
 * for a subscription.
 */
export type RequestId = string | number | null;

/** `params` as JSON-RPC 2.0 allows it: by position or by name. */
export type Params = unknown[] | { [key: string]: unknown };

/** A request (with `id`) or a notification (without). Direction: either. */
export interface RequestMessage {
  jsonrpc: '2.0';
  method: string;
  params?: Params;
  /** Absent for a notification, which gets no response. */
  id?: RequestId;
}

/** One issue of a failed validation: where it is and what is wrong. */
export interface ErrorIssue {
  path: Array<string | number>;
  message: string;
}

/**
 * What Volley puts in `error.data`. `code` is always there; the rest depends on it.
 * A server may add `details` (from `VolleyError#data`) and, only when it exposes
 * errors, `stack`.
 */
export interface ErrorData {
  code: ErrorCodeName | (string & {});
  /** For `INVALID_PARAMS` and `INVALID_REQUEST`: each problem found. */
  issues?: ErrorIssue[];
  /** Application data given to `new VolleyError({ data })`. */
  details?: unknown;
  /**
   * When a server limit refused the message: the name of the option that sets it, such
   * as `"maxBatchLength"` or `"rateLimit"`.
   */
  limit?: string;
  /** Only when the server runs with `exposeErrors: true`. */
  stack?: string;
}

/** The `error` member of an error response. */
export interface ErrorObject {
  code: number;
  message: string;
  data?: ErrorData | unknown;
}

/** A successful response. Direction: server → client. */
export interface SuccessResponse {
  jsonrpc: '2.0';
  id: RequestId;
  result: unknown;
}

/** An error response. Direction: server → client. */
export interface ErrorResponse {
  jsonrpc: '2.0';
  id: RequestId;
  error: ErrorObject;
}

/** Either kind of response. */
export type ResponseMessage = SuccessResponse | ErrorResponse;

/** The `result` of a response that acknowledges a subscription. */
export interface SubscriptionAck {
  /** The id of the request that started it; events carry the same value. */
  subscription: string | number;
  /** Where a resumable stream starts: resume from here if no event has arrived yet. */
  lastEventId?: string;
  /** Only for `rpc.resume`: whether every event after the client's position will follow. */
  recovered?: boolean;
}

/** `params` of `rpc.resume`: restart a subscription after a lost connection. client → server. */
export interface ResumeParams {
  /** The subscription procedure, as in a direct call. */
  method: string;
  /** Its params, exactly as in a direct call. */
  params?: Params;
  /** The last event id received (or the ack's `lastEventId`); absent if none. */
  lastEventId?: string;
}

/** `params` of `rpc.event`: one event of a subscription. Direction: server → client. */
export interface EventParams {
  subscription: string | number;
  data: unknown;
  /** Present when the subscription yielded a tracked event. */
  eventId?: string;
}

/** `params` of `rpc.complete`: the subscription ended normally. Direction: server → client. */
export interface CompleteParams {
  subscription: string | number;
}

/** `params` of `rpc.error`: the subscription failed and is over. Direction: server → client. */
export interface SubscriptionErrorParams {
  subscription: string | number;
  error: ErrorObject;
}

/** `params` of `rpc.cancel`: stop a call or subscription. Direction: client → server. */
export interface CancelParams {
  id: string | number;
}

/** Protocol methods. User procedures can never have these names: `rpc.` is reserved by JSON-RPC 2.0. */
export const METHODS = {
  /**
   * client → server, optional, first message only: `{"connectionParams": ...}` for
   * `createContext`. Its response accepts the connection.
   */
  INIT: 'rpc.init',
  /** client → server: a heartbeat; answered with `"pong"`. */
  PING: 'rpc.ping',
  /**
   * client → server: `{"connectionParams": ...}` again, such as a refreshed token. The
   * server builds the context anew for later calls; answered with `true`.
   */
  AUTH: 'rpc.auth',
  /** client → server: stop the call or subscription started by request `id`. */
  CANCEL: 'rpc.cancel',
  /** client → server: start a subscription again after a lost connection, replaying what was missed. */
  RESUME: 'rpc.resume',
  /**
   * client → server: describe the server's methods. Answered with an OpenRPC document
   * (unless the server turned discovery off, when it is -32601 like any unknown method).
   */
  DISCOVER: 'rpc.discover',
  /** server → client: one event of a subscription. */
  EVENT: 'rpc.event',
  /** server → client: a subscription finished. */
  COMPLETE: 'rpc.complete',
  /** server → client: a subscription failed. */
  ERROR: 'rpc.error',
} as const;

/** The version of this protocol, sent in the `rpc.init` result. */
export const PROTOCOL_VERSION = 1;

/** `params` of `rpc.init`. */
export interface InitParams {
  /** Whatever the application authenticates with; `createContext` receives it. */
  connectionParams?: unknown;
}

/** `params` of `rpc.auth`: the same shape as `rpc.init`'s. */
export type AuthParams = InitParams;

/** `result` of `rpc.init`: the connection is accepted. */
export interface InitResult {
  connectionId: string;
  protocol: number;
}

/** The prefix JSON-RPC 2.0 reserves for extensions, and so for Volley's protocol methods. */
export const RESERVED_PREFIX = 'rpc.';
