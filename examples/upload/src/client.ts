import { createClient, type WebSocketConstructor } from '@volley/client';
import { createHandlers } from '@volley/client/handlers';
import { clientRouter, type UploadRouter } from './routers.js';

/** A client whose user is asked with `ask` before the server stores a file. */
export function connect(
  url: string,
  ask: (name: string, size: number) => boolean,
  WebSocket?: WebSocketConstructor,
) {
  return createClient<UploadRouter>({
    url,
    WebSocket,
    handlers: createHandlers(clientRouter, { context: { approve: ask } }),
  });
}
