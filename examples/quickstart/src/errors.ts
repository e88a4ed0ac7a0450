import {
  ClientClosedError,
  ConnectionLostError,
  createClient,
  ResyncRequiredError,
  VolleyError,
} from '@volley/client';
import WebSocket from 'ws';
import type { AppRouter } from './server.js';

/** Says what ended a call or subscription, in a line a log or a person can read. */
export function describeError(error: unknown): string {
  if (error instanceof VolleyError) {
    // `code` names the error ('INVALID_PARAMS', 'NOT_FOUND', ...); `rpcCode` is its JSON-RPC number.
    const head = `${error.code} (${error.rpcCode}): ${error.message}`;
    // `issues`: what input validation found, each with a `path` into the input.
    if (error.issues !== undefined) {
      const issues = error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
      return `${head} [${issues.join('; ')}]`;
    }
    // `limit`: the server option that refused the call, such as 'rateLimit' (SECURITY.md).
    if (error.limit !== undefined) return `${head} [limit ${error.limit}]`;
    // `data`: what the procedure passed as `new VolleyError({ data })`.
    return error.data === undefined ? head : `${head} ${JSON.stringify(error.data)}`;
  }
  // The connection dropped under a mutation (it may or may not have run) or reconnecting gave up.
  if (error instanceof ConnectionLostError) return `connection lost (${error.closeCode})`;
  // `client.$close()` was called while the call was waiting.
  if (error instanceof ClientClosedError) return 'client closed';
  // A subscription missed events the server could no longer replay: reload, then resubscribe.
  if (error instanceof ResyncRequiredError) return `resync after event ${error.lastEventId}`;
  // Otherwise the call's AbortSignal reason, or a TypeError for input that is not JSON.
  return String(error);
}

const client = createClient<AppRouter>({
  url: process.env.VOLLEY_URL ?? 'ws://localhost:3000',
  WebSocket,
});

try {
  await client.greet.query({ name: '' }); // the server's schema wants at least one character
} catch (error) {
  console.log(describeError(error));
}
await client.$close();
