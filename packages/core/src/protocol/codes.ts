/**
 * Every error code Volley puts on the wire, by name.
 *
 * The first five are JSON-RPC 2.0's own. The rest are Volley's application codes,
 * drawn from the spec's reserved server range (-32000..-32099); the last two
 * digits echo the nearest HTTP status, so `NOT_FOUND` is -32004. The string name
 * always travels in `error.data.code`, so a client never has to memorise numbers.
 */
export const ERROR_CODES = {
  /** The frame was not valid JSON. */
  PARSE_ERROR: -32700,
  /** The JSON was not a valid JSON-RPC 2.0 request. */
  INVALID_REQUEST: -32600,
  /** No procedure or protocol method has that name. */
  METHOD_NOT_FOUND: -32601,
  /** The params did not pass the procedure's input schema. */
  INVALID_PARAMS: -32602,
  /** The server failed unexpectedly. The message is generic unless the server exposes errors. */
  INTERNAL_ERROR: -32603,

  /** The request was well formed but the application refuses it. */
  BAD_REQUEST: -32000,
  /** The caller is not authenticated. */
  UNAUTHORIZED: -32001,
  /** The caller is authenticated but not allowed to do this. */
  FORBIDDEN: -32003,
  /** The thing the call refers to does not exist. */
  NOT_FOUND: -32004,
  /** The call took longer than its deadline. */
  TIMEOUT: -32008,
  /** The call conflicts with the current state. */
  CONFLICT: -32009,
  /** A precondition of the call does not hold. */
  PRECONDITION_FAILED: -32012,
  /** A payload is larger than a limit allows. */
  PAYLOAD_TOO_LARGE: -32013,
  /** The input was understood but cannot be processed. */
  UNPROCESSABLE_CONTENT: -32022,
  /** The caller has gone over a rate or concurrency limit. */
  TOO_MANY_REQUESTS: -32029,
  /** The caller cancelled the call (`rpc.cancel`) before it finished. */
  CANCELLED: -32099,
} as const;

/** The name of an error code, such as `'NOT_FOUND'`. */
export type ErrorCodeName = keyof typeof ERROR_CODES;

/** The JSON-RPC number of an error code, such as `-32004`. */
export type ErrorCodeNumber = (typeof ERROR_CODES)[ErrorCodeName];

/** The name of a JSON-RPC error number, or `undefined` when Volley does not define it. */
export function errorCodeName(code: number): ErrorCodeName | undefined {
  return (Object.keys(ERROR_CODES) as ErrorCodeName[]).find((name) => ERROR_CODES[name] === code);
}

/**
 * The messages JSON-RPC 2.0 gives its own codes. Volley uses them verbatim so that
 * generic clients see the text they expect; details go in `error.data`.
 */
export const STANDARD_MESSAGES = {
  PARSE_ERROR: 'Parse error',
  INVALID_REQUEST: 'Invalid Request',
  METHOD_NOT_FOUND: 'Method not found',
  INVALID_PARAMS: 'Invalid params',
  INTERNAL_ERROR: 'Internal error',
} as const satisfies Partial<Record<ErrorCodeName, string>>;

/**
 * WebSocket close codes Volley uses. 1000–1015 are RFC 6455's; 4000–4999 are
 * reserved by the RFC for applications and mirror HTTP statuses.
 */
export const CLOSE_CODES = {
  /** A normal close, for example by `client.$close()`. */
  NORMAL: 1000,
  /** The server is shutting down (`server.close()`, after draining). Clients reconnect, elsewhere if need be. */
  GOING_AWAY: 1001,
  /** The peer broke a rule that costs the connection, such as flooding before it was ready. */
  POLICY_VIOLATION: 1008,
  /** The frame was larger than `maxPayload`. Sent by `ws` before any parsing. */
  MESSAGE_TOO_BIG: 1009,
  /** The server failed to set up the connection, for example `createContext` threw. */
  INTERNAL_ERROR: 1011,
  /**
   * The pub/sub engine lost events this connection's subscriptions should have had (a
   * Redis outage longer than its log, say). Clients reconnect and resume, and are told
   * `recovered: false` where the events are gone.
   */
  SERVICE_RESTART: 1012,
  /**
   * The server is full: `maxConnections` accepted connections, or the oldest of
   * `maxPendingConnections` connections still waiting to be accepted. Clients retry later.
   */
  TRY_AGAIN_LATER: 1013,
  /**
   * Never sent: what the client reports when its heartbeat found the connection dead
   * (no traffic for two intervals) and it dropped the socket.
   */
  HEARTBEAT_TIMEOUT: 4000,
  /** `createContext` rejected the connection with `UNAUTHORIZED`. */
  UNAUTHORIZED: 4401,
  /** `createContext` rejected the connection with `FORBIDDEN`. */
  FORBIDDEN: 4403,
  /**
   * The connection was not accepted within `connectionInitTimeoutMs`: no first message
   * came, or `createContext` did not finish in time.
   */
  CONNECTION_INIT_TIMEOUT: 4408,
  /**
   * The peer fell too far behind a pub/sub topic subscribed with `overflow: 'close'`: it
   * read too slowly to keep up with the events published.
   */
  SLOW_CONSUMER: 4429,
} as const;

/** The name of a close code, such as `'GOING_AWAY'`. */
export type CloseCodeName = keyof typeof CLOSE_CODES;
