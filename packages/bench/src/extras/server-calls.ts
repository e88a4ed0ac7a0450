// Server-to-client calls against client-to-server calls, in one run and one process
// pair: the same Volley server and client, the same number of calls with the same number
// kept in flight, timed once in each direction. Client → server is `echo(n)` from the
// client; server → client is the server's resolver calling the client's `echo(n)`
// handler (`ctx.client.echo.query(n)`), timed inside that resolver. Each repetition
// alternates which direction runs first.
import { createClient } from '@volley/client';
import { createHandlers } from '@volley/client/handlers';
import { initVolley } from '@volley/core';
import { createServer } from '@volley/server';
import WebSocket from 'ws';
import { z } from 'zod';

/** One repetition: calls per second in each direction. */
export interface ServerCallsRep {
  clientToServer: number;
  serverToClient: number;
}

/** What `measureServerCalls` reports. */
export interface ServerCallsResult {
  calls: number;
  inFlight: number;
  reps: ServerCallsRep[];
}

const c = initVolley();
const handlers = c.router({
  echo: c.procedure.input(z.number()).query(({ input }) => input),
});

const v = initVolley().withClient<typeof handlers>();
const router = v.router({
  echo: v.procedure.input(z.number()).query(({ input }) => input),
  /** Makes `calls` server-to-client calls, `inFlight` at a time; resolves with the ms taken. */
  drive: v.procedure
    .input(z.object({ calls: z.number().int(), inFlight: z.number().int() }))
    .mutation(async ({ ctx, input }) => {
      const started = performance.now();
      await keepInFlight(input.calls, input.inFlight, (n) => ctx.client.echo.query(n));
      return performance.now() - started;
    }),
});

/** Runs `call(0..calls-1)` with `inFlight` of them pending at any time. */
async function keepInFlight(
  calls: number,
  inFlight: number,
  call: (n: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < calls) await call(next++);
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, calls) }, lane));
}

/**
 * Measures both directions `reps` times with `calls` calls each, `inFlight` at a time,
 * over `ws` on 127.0.0.1. The server runs in this process, as the client does: the two
 * directions share that handicap, so their ratio is what to read.
 */
export async function measureServerCalls(
  calls: number,
  inFlight: number,
  reps: number,
): Promise<ServerCallsResult> {
  const server = createServer({
    router,
    rateLimit: false,
    maxInFlight: Number.POSITIVE_INFINITY,
    maxClientCalls: Number.POSITIVE_INFINITY,
    onError: false,
  });
  const { port } = await server.listen(0, '127.0.0.1');
  const client = createClient<typeof router>({
    url: `ws://127.0.0.1:${port}`,
    WebSocket,
    handlers: createHandlers(handlers, { maxConcurrent: Number.POSITIVE_INFINITY }),
  });
  const clientToServer = async () => {
    const started = performance.now();
    await keepInFlight(calls, inFlight, (n) => client.echo.query(n));
    return (calls / (performance.now() - started)) * 1000;
  };
  const serverToClient = async () =>
    (calls / (await client.drive.mutate({ calls, inFlight }, { timeoutMs: 600_000 }))) * 1000;
  try {
    // Warm-up, not recorded.
    await clientToServer();
    await serverToClient();
    const results: ServerCallsRep[] = [];
    for (let rep = 0; rep < reps; rep++) {
      if (rep % 2 === 0) {
        const c2s = await clientToServer();
        results.push({ clientToServer: c2s, serverToClient: await serverToClient() });
      } else {
        const s2c = await serverToClient();
        results.push({ clientToServer: await clientToServer(), serverToClient: s2c });
      }
    }
    return { calls, inFlight, reps: results };
  } finally {
    await client.$close();
    await server.close();
  }
}

/** The result as a Markdown table: the median of each direction, the ratio, and the spread. */
export function serverCallsTable(result: ServerCallsResult): string {
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  };
  const row = (label: string, values: number[]) =>
    `| ${label} | ${Math.round(median(values)).toLocaleString('en-US')} | ${values
      .map((value) => Math.round(value).toLocaleString('en-US'))
      .join(', ')} |`;
  const c2s = result.reps.map((rep) => rep.clientToServer);
  const s2c = result.reps.map((rep) => rep.serverToClient);
  const ratios = result.reps.map((rep) => rep.serverToClient / rep.clientToServer);
  return [
    `${result.calls.toLocaleString('en-US')} calls per direction, ${result.inFlight} in flight, one connection, Volley server and client in one process:`,
    '',
    '| direction | calls/s (median) | each repetition |',
    '| --- | --: | --- |',
    row('client → server (`client.echo.query(n)`)', c2s),
    row('server → client (`ctx.client.echo.query(n)`)', s2c),
    `| ratio server → client / client → server | ${median(ratios).toFixed(2)}× | ${ratios.map((ratio) => `${ratio.toFixed(2)}×`).join(', ')} |`,
  ].join('\n');
}
