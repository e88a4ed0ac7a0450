// What every benchmark target provides: a server started in its own process, and a
// client factory used by the load generator. Workloads see only these interfaces, so
// each target pays for exactly the same harness.

/** The targets, in the order the report lists them. `raw-ws` is the baseline of every ratio. */
export const TARGET_NAMES = ['raw-ws', 'volley', 'volley-otel', 'trpc', 'socket-io'] as const;

/** One of {@link TARGET_NAMES}. */
export type TargetName = (typeof TARGET_NAMES)[number];

/** Every ratio in the report is against this target, measured in the same run. */
export const BASELINE: TargetName = 'raw-ws';

/** How the report names each target. */
export const TARGET_LABELS: Record<TargetName, string> = {
  'raw-ws': 'raw ws JSON echo',
  volley: 'Volley',
  'volley-otel': 'Volley + OpenTelemetry',
  trpc: 'tRPC 11 wsLink',
  'socket-io': 'socket.io 4 (ack)',
};

/** The name every greet call sends; the answer must be `Hello, ${GREET_NAME}`. */
export const GREET_NAME = 'Ada';

/** The data of every fan-out event: small, like a chat message. */
export interface FanOutEvent {
  n: number;
  text: string;
  /**
   * When it was published, in ms since the epoch with sub-ms precision
   * (`performance.timeOrigin + performance.now()`): set by the cross-node latency workload,
   * whose processes share this machine's clock.
   */
  at?: number;
}

/** A target's server, running inside the server process. */
export interface BenchServer {
  readonly port: number;
  /** How many fan-out subscribers are listening right now. */
  subscriberCount(): number;
  /** Publishes one event to every fan-out subscriber. */
  publish(event: FanOutEvent): void;
  /** How many connections it holds (the scale workloads' servers tell). */
  connectionCount?(): number;
  close(): Promise<void>;
}

/** Starts a target's server on 127.0.0.1, port 0. */
export type StartServer = () => Promise<BenchServer>;

/** One open connection of a target's client, in the load generator. */
export interface BenchClient {
  /** Calls `greet({ name })` and resolves to the greeting. */
  greet(name: string): Promise<string>;
  /** Subscribes to the fan-out topic; resolves once the server acknowledged. */
  subscribe(onEvent: (event: FanOutEvent) => void): Promise<void>;
  close(): Promise<void>;
}

/** Opens a connection and resolves once it is usable. */
export type ConnectClient = (url: string) => Promise<BenchClient>;
