// The chat page: `/?name=Ada&room=lobby` joins #lobby as Ada over @volley/client, on the
// browser's own WebSocket to the server that served the page. Without a name (or with a
// room the server would refuse) it asks for them.
import { createClient } from '@volley/client';
import type { ChatRouter } from '../../../chat/src/router.js';
import { createView } from './view.js';

const query = new URLSearchParams(location.search);
const name = query.get('name')?.trim() ?? '';
const room = query.get('room')?.trim() || 'lobby';
const view = createView(name, room);

if (name === '') {
  view.showJoin();
} else if (!/^[a-z0-9-]{1,32}$/.test(room)) {
  view.showJoin('Rooms are 1-32 of a-z, 0-9 and -.'); // as the server checks them
} else {
  // The chat server reads the name from the WebSocket URL (see chatContext).
  const url = new URL('/', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('name', name);
  const client = createClient<ChatRouter>({ url });
  view.showState(client.$state);
  client.$onStateChange(view.showState);
  view.showChat();

  client.onMessage.subscribe(
    { room },
    {
      onStarted: () => view.notice(`You joined #${room} as ${name}`),
      onData: view.message,
      // After a lost connection the server replays what was missed, when it still can.
      onResumed: ({ recovered }) =>
        view.notice(recovered ? 'Reconnected' : 'Reconnected, but some messages were lost'),
      onError: (error) =>
        view.error(`You left #${room}: ${error instanceof Error ? error.message : error}`),
    },
  );
  view.onSend(async (text) => {
    await client.send.mutate({ room, text });
  });
}
