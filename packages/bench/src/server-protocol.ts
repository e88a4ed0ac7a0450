// The IPC messages between the load generator and a server process.

/** What the load generator asks a server process to do. Each gets one reply with its id. */
export type ServerCommand = { id: number } & (
  | { op: 'cpu-start' }
  | { op: 'cpu-stop' }
  | { op: 'memory' }
  | { op: 'subscribers' }
  | {
      op: 'publish';
      events: number;
      /** The first event's `n` (default 0); the next ones count up from it. */
      first?: number;
      /** Wait this long between events instead of one turn of the event loop. */
      intervalMs?: number;
      /** Stamp each event with its publish time (`at`). */
      stamp?: boolean;
    }
  | { op: 'connections' }
  | { op: 'profile-start' }
  | { op: 'profile-stop'; path: string }
  | { op: 'close' }
);

/** Distributes Omit over a union, so each command keeps its own fields. */
export type CommandBody = ServerCommand extends infer T
  ? T extends ServerCommand
    ? Omit<T, 'id'>
    : never
  : never;

/** What a server process sends back: once `ready`, then one reply per command. */
export type ServerReply =
  | { ready: true; port: number }
  | { id: number; result: unknown; error?: undefined }
  | { id: number; error: string };

/** A memory reading of the server process, after garbage collection, in bytes. */
export interface MemoryReading {
  rss: number;
  heapUsed: number;
  external: number;
}
