// Volley's server, exactly as the README starts one.
import { createServer } from '@volley/server';
import { msgpack } from '@volley/server/msgpack';
import type { BenchServer } from './target.js';
import { events, listening, volleyRouter } from './volley-router.js';

export async function startVolleyServer(): Promise<BenchServer> {
  const server = createServer({
    router: volleyRouter,
    // The peers have no rate limit; Volley's default (1,000 messages/s per connection)
    // would cap the throughput workloads rather than measure them.
    rateLimit: false,
    // For the binary workload's MessagePack clients; the JSON ones are served as ever.
    codecs: [msgpack],
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    port,
    subscriberCount: () => listening.count,
    publish(event) {
      void events.publish('t', event);
    },
    close: () => server.close(),
  };
}
