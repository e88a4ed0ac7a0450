// The page: a room picker above the room you are in. Each room is its own ChatRoom (the
// `key`), so switching rooms starts with an empty list and a new subscription.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ChatRoom } from './chat-room.js';
import { name } from './volley.js';

const ROOMS = ['lobby', 'random', 'help'];

function App() {
  const [room, setRoom] = useState(ROOMS[0] as string);
  return (
    <main>
      <h1>
        #{room} as {name}
      </h1>
      <nav>
        {ROOMS.map((each) => (
          <button key={each} type="button" disabled={each === room} onClick={() => setRoom(each)}>
            #{each}
          </button>
        ))}
      </nav>
      <ChatRoom key={room} room={room} />
    </main>
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={new QueryClient()}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
