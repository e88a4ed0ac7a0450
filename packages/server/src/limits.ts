import type { IncomingMessage } from 'node:http';
import { DEFAULT_MAX_ISSUES } from './issues.js';

/** Largest frame accepted, in bytes: 1 MiB. Larger frames close the socket with 1009 before parsing. */
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/**
 * How many frames a connection may send while it is not yet accepted (its
 * `createContext` is running, or an `rpc.auth` is being checked); one more closes it with
 * 1008: 1,000.
 */
export const DEFAULT_MAX_QUEUED_BEFORE_READY = 1_000;

// Every limit a server enforces on its peers, with its default. SECURITY.md lists them
// with the error or close code each one answers with and the test that trips it.

/**
 * Deepest nesting of arrays and objects a frame may have, the envelope included (so a
 * request's `params` object is at depth 2): 64. Checked by scanning the text before it
 * is parsed; a deeper frame is answered with `PAYLOAD_TOO_LARGE` (-32013) and
 * `data.limit: "maxDepth"`, and nothing in it runs.
 */
export const DEFAULT_MAX_DEPTH = 64;

/**
 * Most messages one batch may hold: 1,000 (as geth). Counted before the frame is
 * parsed; a longer batch is answered with one `PAYLOAD_TOO_LARGE` (-32013) error,
 * `data.limit: "maxBatchLength"`, and none of it runs.
 */
export const DEFAULT_MAX_BATCH_LENGTH = 1_000;

/**
 * Most values one message may hold: array elements and object members, counted as the
 * commas between them before the frame is parsed (each member of a batch on its own):
 * 10,000. A message with more is answered with `PAYLOAD_TOO_LARGE` (-32013) and
 * `data.limit: "maxValues"`, and nothing in it runs. It bounds what one message can make
 * the server do before a procedure runs: a schema checks every value it is given and
 * reports an issue for each it rejects, and a 1 MiB array of 500,000 wrong values keeps
 * a core busy for seconds (about 5 µs per issue). Raise it for bulk payloads (a schema's
 * own `.max()` then bounds them cheaply), or send those as bytes.
 */
export const DEFAULT_MAX_VALUES = 10_000;

/**
 * Most queries and mutations one connection may have running at once, notifications
 * included: 1,024. One more is answered with `TOO_MANY_REQUESTS` (-32029),
 * `data.limit: "maxInFlight"`, without running (a notification is dropped and reported
 * to `onError`).
 */
export const DEFAULT_MAX_IN_FLIGHT = 1_024;

/**
 * Most subscriptions one connection may have open (starting or live): 100. One more is
 * answered with `TOO_MANY_REQUESTS` (-32029), `data.limit: "maxSubscriptions"`.
 */
export const DEFAULT_MAX_SUBSCRIPTIONS = 100;

/** A token bucket: `burst` messages at once, refilled at `messagesPerSecond`. */
export interface RateLimit {
  /** Tokens added per second, fractions allowed. */
  messagesPerSecond: number;
  /** Size of the bucket, which starts full: the most messages accepted at once. */
  burst: number;
}

/**
 * Each connection's token bucket: 1,000 messages per second, bursts of 2,000. Every
 * message costs a token (a batch costs one per member); a message that finds the bucket
 * empty is answered with `TOO_MANY_REQUESTS` (-32029), `data.limit: "rateLimit"`, before
 * it is parsed. That is far above what a browser tab or a service client normally sends,
 * and low enough that one connection cannot monopolise a server core. Raise it (or pass
 * `false`) for trusted, high-throughput peers.
 */
export const DEFAULT_RATE_LIMIT: Readonly<RateLimit> = Object.freeze({
  messagesPerSecond: 1_000,
  burst: 2_000,
});

/**
 * Most connections one server keeps open at once: 10,000. Upgrades beyond it are
 * refused with HTTP 503 before the WebSocket handshake.
 */
export const DEFAULT_MAX_CONNECTIONS = 10_000;

/**
 * How long a new connection has to be accepted, in ms: 10 s. Its first message must
 * arrive, and `createContext` finish, within it; otherwise the socket is closed with
 * 4408 (`CONNECTION_INIT_TIMEOUT`).
 */
export const DEFAULT_CONNECTION_INIT_TIMEOUT_MS = 10_000;

/**
 * How many bytes may wait to be written to one peer before the server holds back: 1 MiB.
 * Over it, the connection's subscriptions are not pulled and its socket is not read,
 * until the queue has drained to half of it. A pub/sub topic then buffers for the
 * subscriber (see `maxBuffered` and `overflow` of `subscribe`).
 */
export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;

/**
 * How many bytes (counted as characters of text) a connection may send while it is not
 * yet accepted (its `createContext` is running) before the server stops reading it: 1 MiB.
 * What it sends meanwhile waits in the socket (TCP holds the peer back), so such a
 * connection costs at most about this plus one frame. A second bound,
 * `maxQueuedBeforeReady`, counts frames and closes with 1008.
 */
export const DEFAULT_MAX_QUEUED_BYTES_BEFORE_READY = 1024 * 1024;

/**
 * Most WebSocket connections that are open but not yet accepted (waiting for their first
 * message or for `createContext`), counted apart from accepted ones: 1,000. When one more
 * arrives, the oldest waiting one is closed with 1013 (try again later) to make room, so a
 * flood of idle sockets cannot keep real newcomers out: a newcomer that sends `rpc.init`
 * at once is accepted long before it is the oldest. Only servers with `createContext`
 * have such connections; without it, a connection is accepted as soon as it opens.
 */
export const DEFAULT_MAX_PENDING_CONNECTIONS = 1_000;

/**
 * Most connections (accepted or not) from one client address: unlimited by default,
 * because many users can share an address (NAT, a company proxy). Past it, the upgrade is
 * refused with HTTP 429. Set it when clients are expected to come from many addresses; put
 * `trustProxy` in place behind a proxy, or every client shares the proxy's address.
 */
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = Number.POSITIVE_INFINITY;

/**
 * How long an HTTP request to the server that `listen()` makes has to send its headers and
 * complete (an upgrade's whole request), in ms: 10 s. A socket that trickles its upgrade
 * is dropped then. Node's own defaults (60 s and 300 s) would let slow sockets pile up.
 * `attach()` serves your server, whose timeouts are yours to set (see the README).
 */
export const DEFAULT_UPGRADE_TIMEOUT_MS = 10_000;

/**
 * Most sockets the server that `listen()` makes holds before they have upgraded to a
 * WebSocket (an HTTP request still arriving): 1,000. When one more connects, the oldest is
 * dropped, so half-sent upgrades cannot keep newcomers out.
 */
export const DEFAULT_MAX_PENDING_UPGRADES = 1_000;

/**
 * Decides whether a browser page on `origin` may connect. `origin` is the upgrade
 * request's `Origin` header, or `undefined` for a client that sent none (not a browser).
 */
export type OriginCheck = (origin: string | undefined, request: IncomingMessage) => boolean;

/** The limit options of `createServer`. Each can be `Infinity` (or `false`) to lift it. */
export interface LimitOptions {
  /** Largest frame accepted, in bytes. See {@link DEFAULT_MAX_PAYLOAD}. Must be finite. */
  maxPayload?: number | undefined;
  /** See {@link DEFAULT_MAX_QUEUED_BEFORE_READY}. */
  maxQueuedBeforeReady?: number | undefined;
  /** See {@link DEFAULT_MAX_DEPTH}. */
  maxDepth?: number | undefined;
  /** See {@link DEFAULT_MAX_BATCH_LENGTH}. */
  maxBatchLength?: number | undefined;
  /** See {@link DEFAULT_MAX_VALUES}. */
  maxValues?: number | undefined;
  /** See {@link DEFAULT_MAX_IN_FLIGHT}. */
  maxInFlight?: number | undefined;
  /** See {@link DEFAULT_MAX_SUBSCRIPTIONS}. */
  maxSubscriptions?: number | undefined;
  /** See {@link DEFAULT_RATE_LIMIT}. `false` turns it off. */
  rateLimit?: RateLimit | false | undefined;
  /** See {@link DEFAULT_MAX_CONNECTIONS}. */
  maxConnections?: number | undefined;
  /** See {@link DEFAULT_CONNECTION_INIT_TIMEOUT_MS}. `Infinity` waits for ever. */
  connectionInitTimeoutMs?: number | undefined;
  /** See {@link DEFAULT_HIGH_WATER_MARK}. */
  highWaterMark?: number | undefined;
  /**
   * The web origins allowed to connect, checked at the upgrade: others get HTTP 403 and
   * no WebSocket. Exact strings such as `'https://app.example.com'` (a request without
   * an `Origin` header, which only non-browser clients send, is let through: they can
   * claim any origin anyway, so authenticate them), or a function that decides. Default:
   * every origin. Set it when a browser's cookies authenticate the connection, or any
   * web page may open a socket as your user (cross-site WebSocket hijacking).
   */
  allowedOrigins?: readonly string[] | OriginCheck | undefined;
  /** See {@link DEFAULT_MAX_QUEUED_BYTES_BEFORE_READY}. */
  maxQueuedBytesBeforeReady?: number | undefined;
  /** Most validation issues one error reply carries. See `DEFAULT_MAX_ISSUES`. */
  maxIssues?: number | undefined;
  /** See {@link DEFAULT_MAX_PENDING_CONNECTIONS}. */
  maxPendingConnections?: number | undefined;
  /** See {@link DEFAULT_MAX_CONNECTIONS_PER_ADDRESS}. */
  maxConnectionsPerAddress?: number | undefined;
  /** See {@link DEFAULT_UPGRADE_TIMEOUT_MS}. */
  upgradeTimeoutMs?: number | undefined;
  /** See {@link DEFAULT_MAX_PENDING_UPGRADES}. */
  maxPendingUpgrades?: number | undefined;
}

/** The limits each connection enforces, resolved to numbers. */
export interface Limits {
  maxPayload: number;
  maxDepth: number;
  maxBatchLength: number;
  maxValues: number;
  maxInFlight: number;
  maxSubscriptions: number;
  rateLimit: RateLimit | false;
  connectionInitTimeoutMs: number;
  highWaterMark: number;
  maxQueuedBeforeReady: number;
  maxQueuedBytesBeforeReady: number;
  maxIssues: number;
}

/** The limits the server enforces before a connection exists, resolved to numbers. */
export interface ServerLimits {
  maxConnections: number;
  maxPendingConnections: number;
  maxConnectionsPerAddress: number;
  upgradeTimeoutMs: number;
  maxPendingUpgrades: number;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (
    typeof resolved !== 'number' ||
    Number.isNaN(resolved) ||
    resolved <= 0 ||
    (Number.isFinite(resolved) && !Number.isInteger(resolved))
  ) {
    throw new TypeError(`createServer: \`${name}\` must be a positive integer or Infinity`);
  }
  return resolved;
}

/**
 * Applies the defaults and checks the values.
 *
 * @throws TypeError when a limit is not a positive integer (or `Infinity`), or the rate
 * limit's numbers are not positive.
 */
export function resolveLimits(options: LimitOptions): { limits: Limits; server: ServerLimits } {
  const rateLimit = options.rateLimit ?? DEFAULT_RATE_LIMIT;
  if (
    rateLimit !== false &&
    !(rateLimit.messagesPerSecond > 0 && rateLimit.burst >= 1 && Number.isFinite(rateLimit.burst))
  ) {
    throw new TypeError(
      'createServer: `rateLimit` needs a positive `messagesPerSecond` and a finite `burst` of at least 1',
    );
  }
  const limits: Limits = {
    maxPayload: positive('maxPayload', options.maxPayload, DEFAULT_MAX_PAYLOAD),
    maxDepth: positive('maxDepth', options.maxDepth, DEFAULT_MAX_DEPTH),
    maxBatchLength: positive('maxBatchLength', options.maxBatchLength, DEFAULT_MAX_BATCH_LENGTH),
    maxValues: positive('maxValues', options.maxValues, DEFAULT_MAX_VALUES),
    maxInFlight: positive('maxInFlight', options.maxInFlight, DEFAULT_MAX_IN_FLIGHT),
    maxSubscriptions: positive(
      'maxSubscriptions',
      options.maxSubscriptions,
      DEFAULT_MAX_SUBSCRIPTIONS,
    ),
    rateLimit,
    connectionInitTimeoutMs: positive(
      'connectionInitTimeoutMs',
      options.connectionInitTimeoutMs,
      DEFAULT_CONNECTION_INIT_TIMEOUT_MS,
    ),
    highWaterMark: positive('highWaterMark', options.highWaterMark, DEFAULT_HIGH_WATER_MARK),
    maxQueuedBeforeReady: positive(
      'maxQueuedBeforeReady',
      options.maxQueuedBeforeReady,
      DEFAULT_MAX_QUEUED_BEFORE_READY,
    ),
    maxQueuedBytesBeforeReady: positive(
      'maxQueuedBytesBeforeReady',
      options.maxQueuedBytesBeforeReady,
      DEFAULT_MAX_QUEUED_BYTES_BEFORE_READY,
    ),
    maxIssues: positive('maxIssues', options.maxIssues, DEFAULT_MAX_ISSUES),
  };
  if (!Number.isFinite(limits.maxPayload)) {
    throw new TypeError('createServer: `maxPayload` must be a positive integer (bytes)');
  }
  const server: ServerLimits = {
    maxConnections: positive('maxConnections', options.maxConnections, DEFAULT_MAX_CONNECTIONS),
    maxPendingConnections: positive(
      'maxPendingConnections',
      options.maxPendingConnections,
      DEFAULT_MAX_PENDING_CONNECTIONS,
    ),
    maxConnectionsPerAddress: positive(
      'maxConnectionsPerAddress',
      options.maxConnectionsPerAddress,
      DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
    ),
    upgradeTimeoutMs: positive(
      'upgradeTimeoutMs',
      options.upgradeTimeoutMs,
      DEFAULT_UPGRADE_TIMEOUT_MS,
    ),
    maxPendingUpgrades: positive(
      'maxPendingUpgrades',
      options.maxPendingUpgrades,
      DEFAULT_MAX_PENDING_UPGRADES,
    ),
  };
  return { limits, server };
}

/** Makes `allowedOrigins` a check, or `undefined` when every origin is allowed. */
export function originCheck(allowed: LimitOptions['allowedOrigins']): OriginCheck | undefined {
  if (allowed === undefined) return undefined;
  if (typeof allowed === 'function') return allowed;
  const set = new Set(allowed);
  return (origin) => origin === undefined || set.has(origin);
}
