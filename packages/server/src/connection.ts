import {
  type AnyProcedure,
  CLOSE_CODES,
  callProcedure,
  checkRequest,
  decodeFrame,
  ERROR_CODES,
  type ErrorObject,
  encodeBatch,
  encodeComplete,
  encodeError,
  encodeResult,
  encodeSubscriptionError,
  idOf,
  inputFromParams,
  isRequest,
  METHODS,
  PARSE_FAILED,
  PROTOCOL_VERSION,
  type ProcedureType,
  RESERVED_PREFIX,
  type RequestId,
  type RequestMessage,
  resumeStateOf,
  type SubscriptionAck,
  toVolleyError,
  VolleyError,
} from '@volley/core';
import { Backpressure } from './backpressure.js';
import { type DeliveryHost, pull, push } from './delivery.js';
import { scanFrame, TOO_DEEP } from './frame-scan.js';
import type { Limits } from './limits.js';
import type { ErrorInfo } from './options.js';
import {
  CANCEL_NEEDS_ID,
  cancelTarget,
  connectionParamsOf,
  parseResume,
} from './protocol-params.js';
import { SlowConsumerError, topicSourceOf } from './pubsub.js';
import { batchTooLong, limitError, rateLimitedReply, tooDeep } from './refusals.js';
import {
  BINARY_FRAME_TEXT,
  clip,
  closeReason,
  duplicateId,
  EMPTY_BATCH_TEXT,
  PARSE_ERROR_TEXT,
  protocolError,
} from './replies.js';
import { Running } from './running.js';
import { TokenBucket } from './token-bucket.js';
import type { ServerTransport, TransportEvents } from './transport.js';

/** What every connection of one server shares. */
export interface ConnectionConfig {
  procedures: ReadonlyMap<string, AnyProcedure>;
  exposeErrors: boolean;
  onError: ((info: ErrorInfo) => void) | undefined;
  maxQueuedBeforeReady: number;
  limits: Limits;
  /** Told once when a connection's socket has closed. */
  onClosed?: (connection: Connection) => void;
}

/** A subscription's acknowledgement, and how to start it once the ack is on the wire. */
class Acked {
  constructor(
    readonly text: string,
    readonly start: () => void,
  ) {}
}

type Outcome = string | Acked | undefined;

/**
 * One client connection: decodes frames, dispatches requests to procedures, runs
 * subscriptions, and answers in JSON-RPC 2.0. Calls run concurrently; nothing a
 * client sends can throw out of here.
 */
export class Connection implements TransportEvents {
  readonly id: string;
  readonly #config: ConnectionConfig;
  readonly #transport: ServerTransport;
  readonly #makeContext: (connectionParams: unknown) => unknown;
  #ctx: unknown;
  /** `new` until the first frame, `pending` while the context is made, then `ready`. */
  #phase: 'new' | 'pending' | 'ready' = 'new';
  /** The id of the `rpc.init` request to answer once the context is ready. */
  #initId: RequestId | undefined;
  /** Frames that arrived before the context was ready. */
  #queue: Array<string | undefined> | undefined;
  #closed = false;
  /**
   * Every running call and subscription, under its request id (or under itself, for a
   * notification, which has none). Made at first use and dropped when empty: most
   * connections are idle most of the time, and an empty Map costs memory on each.
   */
  #running: Map<string | number | Running, Running> | undefined;
  /** Queries and mutations running, and who waits for there to be none. */
  #calls = 0;
  #onIdle: Array<() => void> | undefined;
  /** The rate limit's bucket; `undefined` when there is none. */
  readonly #bucket: TokenBucket | undefined;
  /** Made the first time the peer falls behind; see {@link Backpressure}. */
  #backpressure: Backpressure | undefined;
  /** What delivering subscriptions needs of this connection; made with the first one. */
  #deliveryHost: DeliveryHost | undefined;
  get #delivery(): DeliveryHost {
    this.#deliveryHost ??= {
      send: (text) => this.#send(text),
      sendJoined: (head, tail) => this.#sendJoined(head, tail),
      drained: () => this.#backpressure?.drained,
      finish: (id, running, error, path) => this.#finish(id, running, error, path),
    };
    return this.#deliveryHost;
  }
  /** Closes the connection if it is not accepted in time. */
  #initTimer: ReturnType<typeof setTimeout> | undefined;
  /** Made only when someone waits for the close (a server shutting down). */
  #closedPromise: Promise<void> | undefined;
  #resolveClosed: (() => void) | undefined;

  /**
   * @param makeContext builds the context from the `rpc.init` connection params
   * (`undefined` without one); it may return a promise, and may throw to refuse.
   */
  constructor(
    id: string,
    config: ConnectionConfig,
    makeContext: (connectionParams: unknown) => unknown,
    makeTransport: (events: TransportEvents) => ServerTransport,
  ) {
    this.id = id;
    this.#config = config;
    this.#makeContext = makeContext;
    this.#transport = makeTransport(this);
    const { rateLimit, connectionInitTimeoutMs } = config.limits;
    this.#bucket = rateLimit === false ? undefined : new TokenBucket(rateLimit);
    if (Number.isFinite(connectionInitTimeoutMs)) {
      this.#initTimer = setTimeout(() => {
        this.close(CLOSE_CODES.CONNECTION_INIT_TIMEOUT, 'Connection initialisation timeout');
      }, connectionInitTimeoutMs);
      this.#initTimer.unref?.();
    }
  }

  /** Resolves when the socket has closed. */
  get closed(): Promise<void> {
    if (this.#closedPromise === undefined) {
      this.#closedPromise = this.#closed
        ? Promise.resolve()
        : new Promise((resolve) => {
            this.#resolveClosed = resolve;
          });
    }
    return this.#closedPromise;
  }

  /** One heartbeat: pings the peer, or drops it if the last ping went unanswered. */
  heartbeat(): void {
    this.#transport.heartbeat?.();
  }

  /** How many calls and subscriptions are running. */
  get runningCount(): number {
    return this.#running?.size ?? 0;
  }

  /**
   * Resolves once no query or mutation is running (subscriptions do not count), so a
   * server can drain before it closes.
   */
  callsSettled(): Promise<void> {
    if (this.#calls === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onIdle ??= [];
      this.#onIdle.push(resolve);
    });
  }

  /**
   * The first frame decides the context: `rpc.init` brings connection params (and is
   * answered once the context is ready); anything else means there are none.
   */
  #open(text: string | undefined): void {
    this.#phase = 'pending';
    let connectionParams: unknown;
    // A frame too deep is not looked into: it is served (refused) once the context is made.
    const first =
      text === undefined || scanFrame(text, this.#config.limits.maxDepth) === TOO_DEEP
        ? undefined
        : decodeFrame(text);
    if (isRequest(first) && first.method === METHODS.INIT) {
      // `null` is an id too (spec, section 4): only a notification goes unanswered.
      this.#initId = first.id;
      connectionParams = connectionParamsOf(first.params);
    } else this.#queue = [text];
    let made: unknown;
    try {
      made = this.#makeContext(connectionParams);
    } catch (error) {
      this.#refuse(error);
      return;
    }
    if (made instanceof Promise) {
      made.then(
        (ctx) => this.#ready(ctx),
        (error) => this.#refuse(error),
      );
    } else this.#ready(made);
  }

  /** The context is ready: accept `rpc.init`, then serve the frames that waited. */
  #ready(ctx: unknown): void {
    if (this.#closed) return;
    clearTimeout(this.#initTimer);
    this.#initTimer = undefined;
    this.#ctx = ctx;
    this.#phase = 'ready';
    // {"id":0,"method":"rpc.init",...} → {"id":0,"result":{"connectionId":"...","protocol":1}}
    if (this.#initId !== undefined) {
      this.#send(encodeResult(this.#initId, { connectionId: this.id, protocol: PROTOCOL_VERSION }));
    }
    const queued = this.#queue;
    this.#queue = undefined;
    if (queued !== undefined) for (const text of queued) this.onMessage(text);
  }

  /** `createContext` failed: close with the matching code. */
  #refuse(error: unknown): void {
    const volleyError = toVolleyError(error);
    if (volleyError.code === 'UNAUTHORIZED') {
      this.close(CLOSE_CODES.UNAUTHORIZED, volleyError.message);
    } else if (volleyError.code === 'FORBIDDEN') {
      this.close(CLOSE_CODES.FORBIDDEN, volleyError.message);
    } else {
      this.#report({ error: volleyError, connectionId: this.id });
      this.close(CLOSE_CODES.INTERNAL_ERROR, 'Internal error');
    }
  }

  /** Starts the closing handshake. */
  close(code: number, reason: string): void {
    this.#transport.close(code, closeReason(reason));
  }

  /** Drops the socket without a handshake. */
  terminate(): void {
    this.#transport.terminate();
  }

  /** Resolves when every subscription has finished, its `finally` included. */
  async settled(): Promise<void> {
    for (;;) {
      const pumps: Array<Promise<void>> = [];
      for (const running of this.#running?.values() ?? []) {
        if (running.pump !== undefined) pumps.push(running.pump);
      }
      if (pumps.length === 0) return;
      await Promise.allSettled(pumps);
    }
  }

  #send(text: string): void {
    if (this.#closed) return;
    this.#transport.send(text);
    this.#checkBackpressure();
  }

  /** Sends one frame made of `head` then `tail` (UTF-8), without joining them as text. */
  #sendJoined(head: Buffer, tail: Buffer): void {
    if (this.#closed) return;
    const transport = this.#transport;
    if (transport.sendJoined !== undefined) transport.sendJoined(head, tail);
    else transport.send(head.toString() + tail.toString());
    this.#checkBackpressure();
  }

  #checkBackpressure(): void {
    const transport = this.#transport;
    // Past the high-water mark, hold the connection back until the peer catches up.
    const { highWaterMark } = this.#config.limits;
    if (transport.bufferedAmount > highWaterMark && transport.onDrain !== undefined) {
      this.#backpressure ??= new Backpressure(transport, highWaterMark);
      this.#backpressure.check();
    }
  }

  #report(info: ErrorInfo): void {
    const onError = this.#config.onError;
    if (onError === undefined) return;
    try {
      onError(info);
    } catch {
      // onError is the user's; a throw there must not stop serving.
    }
  }

  /** A frame from the transport: `undefined` for a binary one. */
  onMessage(text: string | undefined): void {
    if (this.#closed) return;
    if (this.#phase !== 'ready') {
      if (this.#phase === 'new') {
        this.#open(text);
        return;
      }
      this.#queue ??= [];
      if (this.#queue.length >= this.#config.maxQueuedBeforeReady) {
        this.close(CLOSE_CODES.POLICY_VIOLATION, 'Too many frames before the connection was ready');
        return;
      }
      this.#queue.push(text);
      return;
    }
    // binary frame
    if (text === undefined) {
      if (this.#bucket?.take(1) ?? true) this.#send(BINARY_FRAME_TEXT);
      else this.#refuseRate(PARSE_FAILED);
      return;
    }
    // Limits that must hold before the text is parsed: depth and batch length.
    const { maxDepth, maxBatchLength } = this.#config.limits;
    const count = scanFrame(text, maxDepth);
    const admitted = this.#bucket?.take(count > 0 ? count : 1) ?? true;
    // {"id":1,"params":[[[[...]]]]} → {"id":1,"error":{"code":-32013,"data":{"limit":"maxDepth"}}}
    if (count === TOO_DEEP) {
      this.#send(tooDeep(text, maxDepth));
      return;
    }
    // [1001 messages] → {"id":null,"error":{"code":-32013,"data":{"limit":"maxBatchLength"}}}
    if (count > maxBatchLength) {
      this.#send(batchTooLong(count, maxBatchLength));
      return;
    }
    const value = decodeFrame(text);
    // over the rate limit: {"id":1,"error":{"code":-32029,"data":{"limit":"rateLimit"}}}
    if (!admitted) {
      this.#refuseRate(value);
      return;
    }
    // not JSON: {"jsonrpc":"2.0","id":null,"error":{"code":-32700,...}}
    if (value === PARSE_FAILED) {
      this.#send(PARSE_ERROR_TEXT);
      return;
    }
    // batch: [request, ...] → [response, ...]
    if (Array.isArray(value)) {
      this.#batch(value);
      return;
    }
    const outcome = this.#dispatch(value);
    if (outcome instanceof Promise) {
      outcome.then(
        (settled) => this.#deliver(settled),
        (error) => this.#internalFailure(error),
      );
    } else this.#deliver(outcome);
  }

  #refuseRate(value: unknown): void {
    const { rateLimit } = this.#config.limits;
    const reply = rateLimit === false ? undefined : rateLimitedReply(value, rateLimit);
    if (reply !== undefined) this.#send(reply);
  }

  #deliver(outcome: Outcome): void {
    if (outcome === undefined) return;
    if (outcome instanceof Acked) {
      this.#send(outcome.text);
      outcome.start();
    } else this.#send(outcome);
  }

  #internalFailure(error: unknown): void {
    this.#report({ error: toVolleyError(error), connectionId: this.id });
  }

  #batch(items: unknown[]): void {
    if (items.length === 0) {
      this.#send(EMPTY_BATCH_TEXT);
      return;
    }
    const outcomes = items.map((item) => this.#dispatch(item));
    Promise.all(outcomes).then(
      (settled) => {
        const texts: string[] = [];
        const starts: Array<() => void> = [];
        for (const outcome of settled) {
          if (outcome instanceof Acked) {
            texts.push(outcome.text);
            starts.push(outcome.start);
          } else if (outcome !== undefined) texts.push(outcome);
        }
        // A batch of notifications only gets no reply at all (spec, section 6).
        if (texts.length > 0) this.#send(encodeBatch(texts));
        for (const start of starts) start();
      },
      (error) => this.#internalFailure(error),
    );
  }

  /** Handles one request or notification. Never throws or rejects. */
  #dispatch(value: unknown): Outcome | Promise<Outcome> {
    const issues = checkRequest(value);
    // not a request: {"jsonrpc":"2.0","id":<id or null>,"error":{"code":-32600,...}}
    if (issues !== undefined)
      return encodeError(idOf(value), protocolError('INVALID_REQUEST', issues));
    const request = value as RequestMessage;
    const { method, id } = request;
    if (method.startsWith(RESERVED_PREFIX)) return this.#protocolMethod(request);
    const procedure = this.#config.procedures.get(method);
    if (procedure === undefined) {
      // notification to an unknown method: no reply (spec, section 4.1)
      if (id === undefined) return undefined;
      return encodeError(
        id,
        protocolError('METHOD_NOT_FOUND', [
          { path: ['method'], message: `No procedure "${clip(method)}"` },
        ]),
      );
    }
    const input = inputFromParams(request.params);
    return procedure.type === 'subscription'
      ? this.#subscribe(id, procedure, method, input)
      : this.#call(id, procedure, method, input);
  }

  /** Registers a running call; `undefined` when its id is already in flight. */
  #begin(id: RequestId | undefined): Running | undefined {
    if (id !== undefined && id !== null && this.#running?.has(id) === true) return undefined;
    const running = new Running();
    this.#running ??= new Map();
    this.#running.set(id ?? running, running);
    return running;
  }

  #end(id: RequestId | undefined, running: Running): void {
    const map = this.#running;
    if (map === undefined) return;
    const key = id ?? running;
    if (map.get(key) === running) map.delete(key);
    if (map.size === 0) this.#running = undefined;
  }

  /** The error object to send for `error`, reporting it to `onError`. */
  #errorObject(error: unknown, path: string, type: ProcedureType, input: unknown): ErrorObject {
    const volleyError = toVolleyError(error);
    this.#report({ error: volleyError, connectionId: this.id, path, type, input });
    const cause = volleyError.cause;
    if (
      this.#config.exposeErrors &&
      volleyError.code === 'INTERNAL_ERROR' &&
      cause instanceof Error
    ) {
      return {
        code: volleyError.rpcCode,
        message: cause.message,
        data: { code: volleyError.code, stack: cause.stack },
      };
    }
    return volleyError.toErrorObject(this.#config.exposeErrors);
  }

  // query or mutation: {"id":1,"method":"greet","params":{...}} → {"id":1,"result":...}
  // Answered in the same turn when the procedure is synchronous throughout.
  #call(
    id: RequestId | undefined,
    procedure: AnyProcedure,
    path: string,
    input: unknown,
  ): Outcome | Promise<Outcome> {
    const { maxInFlight } = this.#config.limits;
    if (this.#calls >= maxInFlight) {
      const error = limitError(
        'TOO_MANY_REQUESTS',
        'maxInFlight',
        `Too many calls in flight: at most ${maxInFlight} per connection`,
      );
      if (id !== undefined) return encodeError(id, error);
      // A notification cannot be answered; onError hears of it instead.
      this.#report({ error: VolleyError.fromErrorObject(error), connectionId: this.id, path });
      return undefined;
    }
    const running = this.#begin(id);
    if (running === undefined) return duplicateId(id as string | number);
    this.#calls += 1;
    let result: unknown;
    try {
      result = callProcedure(procedure, { path, ctx: this.#ctx, input, abort: running });
    } catch (error) {
      return this.#answer(id, running, procedure, path, input, true, error);
    }
    if (!(result instanceof Promise)) {
      return this.#answer(id, running, procedure, path, input, false, result);
    }
    return result.then(
      (value) => this.#answer(id, running, procedure, path, input, false, value),
      (error) => this.#answer(id, running, procedure, path, input, true, error),
    );
  }

  /** A call has settled (`failed` says how): release it and make its answer. */
  #answer(
    id: RequestId | undefined,
    running: Running,
    procedure: AnyProcedure,
    path: string,
    input: unknown,
    failed: boolean,
    value: unknown,
  ): Outcome {
    this.#end(id, running);
    this.#calls -= 1;
    // Only a draining server waits here; the common case allocates nothing.
    if (this.#calls === 0 && this.#onIdle !== undefined) {
      const waiting = this.#onIdle;
      this.#onIdle = undefined;
      for (const resolve of waiting) resolve();
    }
    // A cancelled call was answered by rpc.cancel already.
    if (running.cancelled) return undefined;
    let error = value;
    if (!failed) {
      if (id === undefined) return undefined;
      try {
        return encodeResult(id, value);
      } catch (unencodable) {
        error = unencodable; // a result JSON cannot carry, such as a BigInt
      }
    }
    const errorObject = this.#errorObject(error, path, procedure.type, input);
    return id === undefined ? undefined : encodeError(id, errorObject);
  }

  // subscription: {"id":2,"method":"ticks"} → {"id":2,"result":{"subscription":2}},
  // then rpc.event notifications, then one rpc.complete or rpc.error.
  async #subscribe(
    id: RequestId | undefined,
    procedure: AnyProcedure,
    path: string,
    input: unknown,
    resume?: { lastEventId: string | undefined },
  ): Promise<Outcome> {
    if (id === undefined || id === null) {
      const error = new VolleyError({
        code: 'INVALID_REQUEST',
        issues: [
          { path: ['id'], message: `Subscription "${path}" needs a request id that is not null` },
        ],
      });
      // A notification cannot be answered; onError hears of it instead.
      if (id === undefined) {
        this.#report({ error, connectionId: this.id, path, type: 'subscription', input });
        return undefined;
      }
      return encodeError(null, error.toErrorObject());
    }
    // Every running entry that is not a query or mutation is a subscription.
    const { maxSubscriptions } = this.#config.limits;
    if (this.runningCount - this.#calls >= maxSubscriptions) {
      return encodeError(
        id,
        limitError(
          'TOO_MANY_REQUESTS',
          'maxSubscriptions',
          `Too many subscriptions: at most ${maxSubscriptions} per connection`,
        ),
      );
    }
    const running = this.#begin(id);
    if (running === undefined) return duplicateId(id);
    let iterable: AsyncIterable<unknown>;
    let ack: SubscriptionAck;
    try {
      iterable = (await callProcedure(procedure, {
        path,
        ctx: this.#ctx,
        input,
        abort: running,
        lastEventId: resume?.lastEventId,
      })) as AsyncIterable<unknown>;
      // A resumable stream (a pub/sub topic) says where it starts and, when resuming,
      // whether it replays everything missed. Any other stream cannot resume.
      const state = await resumeStateOf(iterable);
      ack = { subscription: id };
      if (state !== undefined) ack.lastEventId = state.position;
      if (resume !== undefined) ack.recovered = state?.recovered ?? false;
    } catch (error) {
      this.#end(id, running);
      if (running.cancelled) return undefined;
      return encodeError(id, this.#errorObject(error, path, 'subscription', input));
    }
    if (running.aborted) {
      // Cancelled or disconnected while it was being set up: release, never start.
      this.#end(id, running);
      iterable[Symbol.asyncIterator]()
        .return?.()
        ?.catch(() => {});
      return undefined;
    }
    running.acked = true;
    // A topic stream returned as it is, with no output schema to check, is pushed: its
    // events go out as they are published, with no promise per event.
    const source = procedure.def.output === undefined ? topicSourceOf(iterable) : undefined;
    return new Acked(encodeResult(id, ack), () => {
      const delivery = { id, running, procedure, path };
      running.pump =
        source === undefined
          ? pull(this.#delivery, delivery, iterable)
          : push(this.#delivery, delivery, iterable, source);
    });
  }

  /**
   * A subscription's stream is over: {"method":"rpc.complete","params":{"subscription":2}}
   * when it ran out or was stopped, else {"method":"rpc.error","params":{"subscription":2,"error":{...}}}.
   */
  #finish(id: string | number, running: Running, error: unknown, path: string): void {
    this.#end(id, running);
    // Throwing on abort (an AbortError from a timer, say) is how generators stop.
    if (error === undefined || running.aborted) {
      this.#send(encodeComplete(id));
      return;
    }
    // A topic subscribed with overflow: 'close' found the peer too slow: drop it.
    if (error instanceof SlowConsumerError) this.close(CLOSE_CODES.SLOW_CONSUMER, error.message);
    this.#send(
      encodeSubscriptionError(id, this.#errorObject(error, path, 'subscription', undefined)),
    );
  }

  #stop(running: Running): void {
    running.abort();
    // Wakes iterators that honour return() while a next() is pending (pub/sub ones do);
    // an async generator queues it and stops at its next await or yield.
    const returned = running.iterator?.return?.();
    if (returned !== undefined) Promise.resolve(returned).catch(() => {});
  }

  #protocolMethod(request: RequestMessage): Outcome | Promise<Outcome> {
    const { id, method } = request;
    switch (method) {
      // {"id":1,"method":"rpc.cancel","params":{"id":2}}: stop call or subscription 2.
      case METHODS.CANCEL:
        return this.#cancel(request);
      // {"id":4,"method":"rpc.resume","params":{"method":"feed","params":...,"lastEventId":"..."}}
      // → {"id":4,"result":{"subscription":4,"recovered":true,"lastEventId":"..."}}
      case METHODS.RESUME:
        return this.#resume(request);
      // {"id":6,"method":"rpc.auth","params":{"connectionParams":...}} → {"id":6,"result":true}
      case METHODS.AUTH:
        return this.#auth(request);
      // {"id":5,"method":"rpc.ping"} → {"id":5,"result":"pong"}: the client's heartbeat.
      case METHODS.PING:
        return id === undefined ? undefined : encodeResult(id, 'pong');
      // rpc.init after the first frame: the connection is already set up.
      case METHODS.INIT:
        return id === undefined
          ? undefined
          : encodeError(
              id,
              protocolError('INVALID_REQUEST', [
                { path: ['method'], message: 'rpc.init must be the first message of a connection' },
              ]),
            );
      default:
        if (id === undefined) return undefined;
        return encodeError(
          id,
          protocolError('METHOD_NOT_FOUND', [
            { path: ['method'], message: `No protocol method "${clip(method)}"` },
          ]),
        );
    }
  }

  #resume(request: RequestMessage): Outcome | Promise<Outcome> {
    const { id } = request;
    const resume = parseResume(request.params);
    if (Array.isArray(resume)) {
      return id === undefined
        ? undefined
        : encodeError(id, protocolError('INVALID_PARAMS', resume));
    }
    const { method } = resume;
    const procedure = this.#config.procedures.get(method);
    if (procedure?.type !== 'subscription') {
      if (id === undefined) return undefined;
      return encodeError(
        id,
        protocolError('METHOD_NOT_FOUND', [
          { path: ['params', 'method'], message: `No subscription "${clip(method)}"` },
        ]),
      );
    }
    return this.#subscribe(id, procedure, method, inputFromParams(resume.params), {
      lastEventId: resume.lastEventId,
    });
  }

  #cancel(request: RequestMessage): Outcome {
    const { id } = request;
    const target = cancelTarget(request.params);
    if (target === undefined) {
      return id === undefined
        ? undefined
        : encodeError(id, protocolError('INVALID_PARAMS', CANCEL_NEEDS_ID));
    }
    const running = this.#running?.get(target);
    if (running !== undefined && !running.cancelled) {
      running.cancelled = !running.acked;
      this.#stop(running);
      // A call (or a subscription not yet acknowledged) is answered now, once.
      if (running.cancelled) {
        this.#send(
          encodeError(target, {
            code: ERROR_CODES.CANCELLED,
            message: 'Cancelled',
            data: { code: 'CANCELLED' },
          }),
        );
      }
    }
    return id === undefined ? undefined : encodeResult(id, running !== undefined);
  }

  /**
   * Builds the context anew from fresh connection params (a refreshed token), for the
   * calls that follow; those already running keep theirs. Frames that arrive meanwhile
   * wait, as before acceptance. A refusal (`UNAUTHORIZED` or `FORBIDDEN` from
   * `createContext`) is answered with that error and leaves the context as it was.
   */
  async #auth(request: RequestMessage): Promise<Outcome> {
    const { id } = request;
    const connectionParams = connectionParamsOf(request.params);
    this.#phase = 'pending';
    let outcome: Outcome;
    try {
      this.#ctx = await this.#makeContext(connectionParams);
      outcome = id === undefined ? undefined : encodeResult(id, true);
    } catch (error) {
      const volleyError = toVolleyError(error);
      const refused = volleyError.code === 'UNAUTHORIZED' || volleyError.code === 'FORBIDDEN';
      if (!refused) this.#report({ error: volleyError, connectionId: this.id });
      const errorObject = refused ? volleyError.toErrorObject() : protocolError('INTERNAL_ERROR');
      outcome = id === undefined ? undefined : encodeError(id, errorObject);
    }
    // Serve what waited once this answer is on its way (it is sent in a microtask).
    setImmediate(() => {
      if (this.#closed) return;
      this.#phase = 'ready';
      const queued = this.#queue;
      this.#queue = undefined;
      if (queued !== undefined) for (const text of queued) this.onMessage(text);
    });
    return outcome;
  }

  /** The transport's socket has closed. */
  onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#initTimer);
    this.#backpressure?.release();
    this.#queue = undefined;
    if (this.#running !== undefined)
      for (const running of this.#running.values()) this.#stop(running);
    this.#resolveClosed?.();
    this.#config.onClosed?.(this);
  }
}
