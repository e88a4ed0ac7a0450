// createInspector: the aggregator attached to the user's server, its snapshots served to the
// page by a second, small Volley server, and the page itself, all behind `authorize`.
import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { PubSubEngine } from '@volley/core';
import { createServer, type OriginCheck, type VolleyServer } from '@volley/server';
import { type AggregatorOptions, createAggregator } from './aggregator.js';
import { loadPageAssets, sendAsset, sendText } from './page-assets.js';
import {
  DEFAULT_MAX_PRESENCE_MEMBERS,
  DEFAULT_MAX_PRESENCE_TOPICS,
  type PresenceProvider,
  type PresenceSource,
  presenceOf,
} from './presence.js';
import { createInspectorRouter, DEFAULT_INTERVAL_MS } from './router.js';
import type { InspectorSnapshot } from './snapshot.js';

/** Default `path`: the page at `/_volley/`, its live WebSocket at `/_volley/live`. */
export const DEFAULT_INSPECTOR_PATH = '/_volley';
/** Default `maxConnections`: live inspector pages open at once. */
export const DEFAULT_MAX_INSPECTOR_CONNECTIONS = 16;
/** Largest frame the inspector's WebSocket takes from a page (it only subscribes). */
export const INSPECTOR_MAX_PAYLOAD = 16 * 1024;

/** Decides whether a request may see the inspector: the page, its files and its WebSocket. */
export type Authorize = (request: IncomingMessage) => boolean | Promise<boolean>;

/** A pub/sub engine that can be watched: any `PubSubEngine` (only `observe` is used). */
export type WatchableEngine = Pick<PubSubEngine, 'observe'>;

/** Options of {@link createInspector}. */
export interface InspectorOptions extends Omit<AggregatorOptions, 'now'> {
  /** The Volley server to inspect. The inspector attaches an observer to it (`server.observe`). */
  server: VolleyServer;
  /**
   * Required. Called for every request under `path` (the page, its files, the WebSocket
   * upgrade), with the request: its cookies, headers and address. `true` lets it through;
   * `false` answers 403 (or 401 with `challenge`); a throw or rejection answers 500 and goes
   * to `onError`. Nothing under `path` is served before it says yes.
   */
  authorize: Authorize;
  /** Where the page is served, such as `/admin/volley`. See {@link DEFAULT_INSPECTOR_PATH}. */
  path?: string | undefined;
  /**
   * A `WWW-Authenticate` value (such as `Basic realm="Volley inspector"`): when set, a
   * refusal is 401 with this header, so that a browser asks for credentials. Default: 403.
   */
  challenge?: string | undefined;
  /**
   * Pub/sub engines to watch too (such as `createRedisEngine()`'s): their failed publishes
   * and reconnections show on the page. An engine without `observe` is left alone.
   */
  engines?: readonly WatchableEngine[] | undefined;
  /**
   * Who is present in a topic: a function, or a pub/sub with presence (`presence: rooms`).
   * When given, the page lists the members beside each of the busiest topics.
   */
  presence?: PresenceSource | PresenceProvider | undefined;
  /** See {@link DEFAULT_MAX_PRESENCE_TOPICS}. */
  maxPresenceTopics?: number | undefined;
  /** See {@link DEFAULT_MAX_PRESENCE_MEMBERS}. */
  maxPresenceMembers?: number | undefined;
  /** How often the page gets a snapshot when nothing changes, in ms. See {@link DEFAULT_INTERVAL_MS}. */
  intervalMs?: number | undefined;
  /**
   * Origins whose pages may open the live WebSocket (as `createServer`'s `allowedOrigins`).
   * Default: only the page's own origin (the `Origin` header's host must be the `Host`),
   * so another site cannot open it with the user's cookies. Set it behind a proxy that
   * changes `Host`.
   */
  allowedOrigins?: readonly string[] | OriginCheck | undefined;
  /** See {@link DEFAULT_MAX_INSPECTOR_CONNECTIONS}. */
  maxConnections?: number | undefined;
  /** Told when `authorize` throws. Default: written to stderr; `false`: nothing. */
  onError?: ((error: unknown) => void) | false | undefined;
}

/** A running inspector. */
export interface Inspector {
  /** The path it is served under, as given (normalised: no trailing `/`). */
  readonly path: string;
  /**
   * Serves a request if it is under `path` and returns `true`; else returns `false` (and
   * calls `next`, so it also works as Express or Connect middleware, mounted at the root).
   */
  handleRequest(request: IncomingMessage, response: ServerResponse, next?: () => void): boolean;
  /**
   * Takes a WebSocket upgrade to `<path>/live` and returns `true` (it is answered 403 when
   * `authorize` refuses it); returns `false`, leaving the socket alone, for any other path.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /**
   * Serves the live WebSocket's upgrades on an existing server (its `'upgrade'` event);
   * the page itself needs `handleRequest` in its request handler. Another Volley server on
   * the same HTTP server must be attached with a `path` of its own. Returns a detach function.
   */
  attach(server: HttpServer | HttpsServer): () => void;
  /** Serves the inspector on its own HTTP server; resolves with the address once listening. */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /** The snapshot the page would get now. */
  snapshot(): Promise<InspectorSnapshot>;
  /**
   * Detaches from the observed server, closes the inspector's sockets and the server
   * `listen` made. The observed server keeps running.
   */
  close(): Promise<void>;
}

/** The path without its trailing slashes; `''` for the root. */
function normalisePath(path: string): string {
  if (typeof path !== 'string' || !path.startsWith('/') || /[?#\s]/.test(path)) {
    throw new TypeError(
      'createInspector: `path` must start with "/" and hold no "?", "#" or space',
    );
  }
  return path.replace(/\/+$/, '');
}

/** Reads a positive integer option, or its default. */
function count(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`createInspector: \`${name}\` must be a positive integer`);
  }
  return value;
}

/** The default origin check: a browser's `Origin` must be the page's own (its host is `Host`). */
function sameOrigin(origin: string | undefined, request: IncomingMessage): boolean {
  if (origin === undefined) return true; // not a browser: `authorize` decides alone
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

function reportToStderr(error: unknown): void {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`@volley/inspector: authorize threw: ${text}\n`);
}

/** Answers an upgrade with an HTTP error and closes the socket. */
function rejectUpgrade(socket: Duplex, status: number, text: string, extra = ''): void {
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\n${extra}Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

/**
 * Makes an inspector for `server`: nothing is observed or served until you call this, and
 * only what you mount (`handleRequest` and `attach`, or `listen`) is reachable.
 *
 * @throws TypeError when `authorize` is missing (the inspector is never served open), or
 * `path` or a cap is invalid.
 * @throws Error when the package's page was not built.
 */
export function createInspector(options: InspectorOptions): Inspector {
  if (typeof options?.authorize !== 'function') {
    throw new TypeError(
      'createInspector: `authorize` is required: a function (request) => boolean | Promise<boolean> that says who may see the inspector (return true only for your operators)',
    );
  }
  const { server, authorize } = options;
  if (server === undefined || typeof server.observe !== 'function') {
    throw new TypeError('createInspector: `server` must be a Volley server (from createServer)');
  }
  const prefix = normalisePath(options.path ?? DEFAULT_INSPECTOR_PATH);
  const livePath = `${prefix}/live`;
  const assets = loadPageAssets();
  const onError = options.onError === false ? () => {} : (options.onError ?? reportToStderr);
  const maxPresenceTopics = count(
    'maxPresenceTopics',
    options.maxPresenceTopics,
    DEFAULT_MAX_PRESENCE_TOPICS,
  );
  const maxPresenceMembers = count(
    'maxPresenceMembers',
    options.maxPresenceMembers,
    DEFAULT_MAX_PRESENCE_MEMBERS,
  );
  const intervalMs = count('intervalMs', options.intervalMs, DEFAULT_INTERVAL_MS);
  const refusal =
    options.challenge === undefined
      ? ([403, 'Forbidden', {}] as const)
      : ([401, 'Unauthorized', { 'WWW-Authenticate': options.challenge }] as const);

  const aggregator = createAggregator(options);
  const { presence } = options;
  async function snapshot(): Promise<InspectorSnapshot> {
    const counts = { connectionCount: server.connectionCount, ...server.stats };
    const taken = aggregator.snapshot(counts);
    if (presence !== undefined) {
      const topics = taken.subscriptions.byTopic.slice(0, maxPresenceTopics);
      await Promise.all(
        topics.map(async (row) => {
          row.presence = await presenceOf(presence, row.topic, maxPresenceMembers);
        }),
      );
    }
    return taken;
  }

  const live = createServer({
    router: createInspectorRouter({ snapshot, onChange: aggregator.onChange }, intervalMs),
    allowedOrigins: options.allowedOrigins ?? sameOrigin,
    maxConnections: options.maxConnections ?? DEFAULT_MAX_INSPECTOR_CONNECTIONS,
    maxPayload: INSPECTOR_MAX_PAYLOAD,
  });
  const detachers = new Set<() => void>();
  detachers.add(server.observe(aggregator));
  for (const engine of options.engines ?? []) {
    const detach = engine.observe?.(aggregator);
    if (detach !== undefined) detachers.add(detach);
  }

  /** Whether `request` may see the inspector; `undefined` when `authorize` failed. */
  async function allowed(request: IncomingMessage): Promise<boolean | undefined> {
    try {
      return (await authorize(request)) === true;
    } catch (error) {
      onError(error);
      return undefined;
    }
  }

  function pathOf(request: IncomingMessage): string {
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    return query === -1 ? url : url.slice(0, query);
  }

  async function serve(request: IncomingMessage, response: ServerResponse, path: string) {
    const verdict = await allowed(request);
    if (verdict !== true) {
      if (verdict === undefined) sendText(response, 500, 'Internal Server Error');
      else sendText(response, refusal[0], refusal[1], refusal[2]);
      return;
    }
    if (path === prefix) {
      // Relative, so that it also holds behind a proxy that mounts the app under a prefix.
      const last = prefix.slice(prefix.lastIndexOf('/') + 1);
      sendText(response, 308, 'Permanent Redirect', { Location: `${last}/` });
      return;
    }
    const name = path.slice(prefix.length + 1);
    if (name === 'live') {
      sendText(response, 426, 'Upgrade Required', { Upgrade: 'websocket' });
      return;
    }
    const asset = assets.get(name);
    if (asset === undefined) sendText(response, 404, 'Not Found');
    else sendAsset(response, asset);
  }

  function handleRequest(
    request: IncomingMessage,
    response: ServerResponse,
    next?: () => void,
  ): boolean {
    const path = pathOf(request);
    if (!(path === prefix || path.startsWith(`${prefix}/`))) {
      next?.();
      return false;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendText(response, 405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
      return true;
    }
    serve(request, response, path).catch((error: unknown) => {
      onError(error);
      if (!response.headersSent) sendText(response, 500, 'Internal Server Error');
      else response.destroy();
    });
    return true;
  }

  function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (pathOf(request) !== livePath) return false;
    // The socket may fail while authorize runs; nothing else listens to it yet.
    const ignore = () => {};
    socket.on('error', ignore);
    allowed(request).then((verdict) => {
      socket.off('error', ignore);
      if (socket.destroyed) return;
      if (verdict === true) live.handleUpgrade(request, socket, head);
      else if (verdict === undefined) rejectUpgrade(socket, 500, 'Internal Server Error');
      else {
        const [status, text, headers] = refusal;
        const extra = Object.entries(headers)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('');
        rejectUpgrade(socket, status, text, extra);
      }
    });
    return true;
  }

  const ownServers: HttpServer[] = [];

  function attach(http: HttpServer | HttpsServer): () => void {
    const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!handleUpgrade(request, socket, head) && http.listenerCount('upgrade') === 1) {
        rejectUpgrade(socket, 404, 'Not Found'); // nobody else would answer it
      }
    };
    http.on('upgrade', onUpgrade);
    const detach = () => {
      http.off('upgrade', onUpgrade);
      detachers.delete(detach);
    };
    detachers.add(detach);
    return detach;
  }

  function listen(port = 0, host?: string): Promise<AddressInfo> {
    const http = createHttpServer(
      { headersTimeout: 10_000, requestTimeout: 10_000 },
      (request, response) => {
        if (!handleRequest(request, response)) sendText(response, 404, 'Not Found');
      },
    );
    ownServers.push(http);
    attach(http);
    return new Promise((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, host, () => {
        http.off('error', reject);
        resolve(http.address() as AddressInfo);
      });
    });
  }

  let closing: Promise<void> | undefined;
  async function shutdown(): Promise<void> {
    for (const detach of [...detachers]) detach();
    const closed = ownServers.map(
      (http) => new Promise<void>((resolve) => http.close(() => resolve())),
    );
    await live.close();
    for (const http of ownServers) http.closeAllConnections();
    await Promise.all(closed);
  }

  return {
    path: prefix,
    handleRequest,
    handleUpgrade,
    attach,
    listen,
    snapshot,
    close() {
      closing ??= shutdown();
      return closing;
    },
  };
}
