// Binary payloads: calls per second and bytes on the wire for a 64 KiB payload sent and
// echoed back, Volley's MessagePack codec (bytes as bin) against Volley over JSON (the
// bytes as base64 text, encoded and decoded by the application on every call), and small
// calls over each codec. Raw ws echoing the same frames is the baseline, in the same run:
// a binary echo for MessagePack, a JSON echo of the base64 text for JSON. Servers run in
// their own processes, as in the socket workloads; one connection, 16 calls in flight.
import { createClient } from '@volley/client';
import { msgpack } from '@volley/client/msgpack';
import WebSocket from 'ws';
import { ServerHandle } from '../server-handle.js';
import { median, nowMs } from '../stats.js';
import { GREET_NAME } from '../targets/target.js';
import type { VolleyRouter } from '../targets/volley-router.js';

/** The payload of the binary rows: 64 KiB. */
export const BINARY_PAYLOAD_BYTES = 64 * 1024;

/** Calls each connection keeps in flight. */
const IN_FLIGHT = 16;

/** One row: a way of sending the payload, with its figures (medians over repetitions). */
export interface BinaryRow {
  label: string;
  /** Which raw ws row this one is compared with, when it is a Volley row. */
  baseline?: string;
  callsPerSecond: number;
  /** Payload bytes written and read per call (WebSocket frame headers not counted). */
  wireBytesPerCall: number;
  /** Each repetition's calls per second, to show the spread. */
  runs: number[];
}

/** Bytes sent and received over the sockets of one row. */
interface Counter {
  sent: number;
  received: number;
}

/** The `ws` class, counting payload bytes in both directions. */
function countingSocket(counter: Counter) {
  return class CountingWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.on('message', (data: Buffer | ArrayBuffer) => {
        counter.received += data.byteLength;
      });
    }

    override send(data: unknown, ...rest: unknown[]): void {
      counter.sent +=
        typeof data === 'string' ? Buffer.byteLength(data) : (data as Uint8Array).byteLength;
      (super.send as (...args: unknown[]) => void)(data, ...rest);
    }
  };
}

/** A way of making calls: `call` does one; `close` releases the connection. */
interface Caller {
  call(): Promise<void>;
  close(): Promise<void>;
}

const payload = new Uint8Array(BINARY_PAYLOAD_BYTES).map((_, index) => (index * 31) % 256);

function checkBytes(bytes: Uint8Array): void {
  if (bytes.length !== BINARY_PAYLOAD_BYTES || bytes[1] !== payload[1]) {
    throw new Error('The payload came back changed');
  }
}

/** A raw ws connection: a binary echo answers in order, a JSON one by id. */
async function rawCaller(url: string, counter: Counter, binary: boolean): Promise<Caller> {
  const Socket = countingSocket(counter);
  const socket = new Socket(url);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const inOrder: Array<() => void> = [];
  const byId = new Map<number, (base64Text: string) => void>();
  let nextId = 0;
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) {
      checkBytes(data);
      inOrder.shift()?.();
      return;
    }
    const answer = JSON.parse(data.toString()) as { id: number; result: string };
    byId.get(answer.id)?.(answer.result);
    byId.delete(answer.id);
  });
  return {
    call: () =>
      new Promise<void>((resolve) => {
        if (binary) {
          inOrder.push(resolve);
          socket.send(payload);
          return;
        }
        const id = ++nextId;
        byId.set(id, (text) => {
          checkBytes(Buffer.from(text, 'base64'));
          resolve();
        });
        socket.send(
          JSON.stringify({
            id,
            method: 'echoBase64',
            params: Buffer.from(payload).toString('base64'),
          }),
        );
      }),
    close: async () => {
      socket.close();
      await new Promise((resolve) => socket.once('close', resolve));
    },
  };
}

type Kind = 'bytes' | 'base64' | 'small';

async function volleyCaller(
  url: string,
  counter: Counter,
  codec: 'json' | 'msgpack',
  kind: Kind,
): Promise<Caller> {
  const WebSocketClass = countingSocket(counter);
  const client =
    codec === 'msgpack'
      ? createClient<VolleyRouter, 'msgpack'>({ url, WebSocket: WebSocketClass, codec: msgpack })
      : createClient<VolleyRouter>({ url, WebSocket: WebSocketClass });
  const call = async () => {
    if (kind === 'small') {
      await client.greet.query({ name: GREET_NAME });
    } else if (kind === 'bytes') {
      checkBytes((await client.echoBytes.mutate(payload)) as Uint8Array);
    } else {
      // What a JSON application does with bytes: base64 them, and back.
      const text = await client.echoBase64.mutate(Buffer.from(payload).toString('base64'));
      checkBytes(Buffer.from(text, 'base64'));
    }
  };
  await call();
  return { call, close: () => client.$close() };
}

/** Keeps IN_FLIGHT calls going for `durationMs`; returns how many completed. */
async function run(caller: Caller, durationMs: number): Promise<number> {
  let stop = false;
  let calls = 0;
  const timer = setTimeout(() => {
    stop = true;
  }, durationMs);
  const lane = async () => {
    while (!stop) {
      await caller.call();
      calls++;
    }
  };
  try {
    await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  } finally {
    stop = true;
    clearTimeout(timer);
  }
  return calls;
}

interface RowSpec {
  label: string;
  baseline?: string;
  open(urls: { raw: string; volley: string }, counter: Counter): Promise<Caller>;
}

const ROWS: RowSpec[] = [
  {
    label: 'raw ws, 64 KiB binary echo',
    open: (urls, counter) => rawCaller(urls.raw, counter, true),
  },
  {
    label: 'raw ws, 64 KiB as base64 in JSON',
    open: (urls, counter) => rawCaller(urls.raw, counter, false),
  },
  {
    label: 'Volley msgpack, 64 KiB Uint8Array',
    baseline: 'raw ws, 64 KiB binary echo',
    open: (urls, counter) => volleyCaller(urls.volley, counter, 'msgpack', 'bytes'),
  },
  {
    label: 'Volley JSON, 64 KiB as base64',
    baseline: 'raw ws, 64 KiB as base64 in JSON',
    open: (urls, counter) => volleyCaller(urls.volley, counter, 'json', 'base64'),
  },
  {
    label: 'Volley msgpack, small call (greet)',
    open: (urls, counter) => volleyCaller(urls.volley, counter, 'msgpack', 'small'),
  },
  {
    label: 'Volley JSON, small call (greet)',
    open: (urls, counter) => volleyCaller(urls.volley, counter, 'json', 'small'),
  },
];

/**
 * Runs every row `reps` times (fresh server processes each repetition, rows in rotated
 * order), each `warmupMs` then `durationMs`; returns each row's medians.
 */
export async function measureBinaryPayloads(
  options: { reps: number; warmupMs: number; durationMs: number },
  log: (line: string) => void,
): Promise<BinaryRow[]> {
  const runs = new Map<string, { calls: number[]; bytes: number[] }>();
  for (const row of ROWS) runs.set(row.label, { calls: [], bytes: [] });
  for (let rep = 0; rep < options.reps; rep++) {
    const [raw, volley] = await Promise.all([
      ServerHandle.start('raw-ws'),
      ServerHandle.start('volley'),
    ]);
    try {
      const shift = rep % ROWS.length;
      for (const row of [...ROWS.slice(shift), ...ROWS.slice(0, shift)]) {
        const counter: Counter = { sent: 0, received: 0 };
        const caller = await row.open({ raw: raw.url, volley: volley.url }, counter);
        try {
          await run(caller, options.warmupMs);
          counter.sent = 0;
          counter.received = 0;
          const start = nowMs();
          const calls = await run(caller, options.durationMs);
          const perSecond = (calls / (nowMs() - start)) * 1000;
          const bytes = (counter.sent + counter.received) / calls;
          const entry = runs.get(row.label)!;
          entry.calls.push(perSecond);
          entry.bytes.push(bytes);
          log(
            `[rep ${rep + 1}/${options.reps}] binary        ${row.label}: ${perSecond.toFixed(0)} calls/s, ${bytes.toFixed(0)} B/call`,
          );
        } finally {
          await caller.close();
        }
      }
    } finally {
      await Promise.all([raw.close(), volley.close()]);
    }
  }
  return ROWS.map((row) => {
    const entry = runs.get(row.label)!;
    return {
      label: row.label,
      baseline: row.baseline,
      callsPerSecond: median(entry.calls),
      wireBytesPerCall: median(entry.bytes),
      runs: entry.calls,
    };
  });
}
