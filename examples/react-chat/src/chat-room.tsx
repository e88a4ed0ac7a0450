import { useMutation } from '@tanstack/react-query';
import { useSubscription } from '@volley/react';
import { useState } from 'react';
import type { ChatMessage } from '../../chat/src/router.js';
import { volley } from './volley.js';

export function ChatRoom({ room }: { room: string }) {
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [text, setText] = useState('');
  const { status, connectionState, recovered } = useSubscription(
    volley.onMessage.subscriptionOptions(
      { room },
      { onData: (message) => setMessages((list) => [...list, message]) },
    ),
  );
  const send = useMutation(volley.send.mutationOptions({ onSuccess: () => setText('') }));

  return (
    <section>
      <p role="status">
        {connectionState === 'open' ? status : connectionState}
        {recovered === false && ' (some messages may be missing)'}
      </p>
      <ul>
        {messages.map((message) => (
          <li key={message.sentAt + message.author}>
            <b>{message.author}</b>: {message.text}
          </li>
        ))}
      </ul>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          send.mutate({ room, text });
        }}
      >
        <input value={text} onChange={(event) => setText(event.target.value)} />
        <button type="submit" disabled={status !== 'active' || send.isPending}>
          Send
        </button>
        {send.error && <output>{send.error.message}</output>}
      </form>
    </section>
  );
}
