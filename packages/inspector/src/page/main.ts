// The inspector page: subscribes to the inspector's `snapshot` with @volley/client, on the
// browser's own WebSocket, at `<path>/live` beside the page, and draws each snapshot.
import { createClient } from '@volley/client';
import type { InspectorRouter } from '../router.js';
import { createView } from './view.js';

const view = createView(document);
const url = new URL('live', location.href);
url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
url.search = '';
url.hash = '';

const client = createClient<InspectorRouter>({ url });
view.showState(client.$state);
client.$onStateChange((state) => view.showState(state));
client.snapshot.subscribe(undefined, {
  onData: (snapshot) => view.render(snapshot),
  onError: (error) =>
    view.showState('closed', error instanceof Error ? error.message : String(error)),
});
