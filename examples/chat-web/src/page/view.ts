// What the person sees: the connection state, the room's messages and the send form.
// Plain DOM, no framework; text goes in through textContent only, never as HTML.
import type { ConnectionState } from '@volley/client';
import type { ChatMessage } from '../../../chat/src/router.js';

/** How each connection state reads in the header. `idle` only precedes the first attempt. */
const STATES: Record<ConnectionState, { shown: string; label: string }> = {
  idle: { shown: 'connecting', label: 'Connecting…' },
  connecting: { shown: 'connecting', label: 'Connecting…' },
  open: { shown: 'open', label: 'Connected' },
  reconnecting: { shown: 'reconnecting', label: 'Reconnecting…' },
  closed: { shown: 'closed', label: 'Disconnected' },
};

/** What the banner says in a state, if anything. */
const BANNERS: Partial<Record<ConnectionState, string>> = {
  reconnecting:
    'Connection lost. Reconnecting… Messages sent meanwhile go out, and missed ones come in, once it is back.',
  closed: 'Disconnected. Reload the page to join again.',
};

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** The page's elements, for a person called `name` in `room`. */
export function createView(name: string, room: string) {
  const status = element('status');
  const statusText = element('status-text');
  const banner = element('banner');
  const messages = element<HTMLOListElement>('messages');
  const composer = element<HTMLFormElement>('composer');
  const input = element<HTMLInputElement>('text');
  const error = element('error');
  element('room').textContent = `#${room}`;
  input.placeholder = `Message #${room} as ${name}`;

  /** Adds an item to the list, and keeps the newest in view unless the person scrolled up. */
  const append = (item: HTMLElement) => {
    const atBottom = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 40;
    messages.append(item);
    if (atBottom) messages.scrollTop = messages.scrollHeight;
  };

  const showError = (text: string | null) => {
    error.hidden = text === null;
    error.textContent = text;
  };

  return {
    /** Shows the join form instead of the chat, filled in, with `problem` if any. */
    showJoin(problem?: string) {
      const form = element<HTMLFormElement>('join');
      form.hidden = false;
      (form.elements.namedItem('name') as HTMLInputElement).value = name;
      (form.elements.namedItem('room') as HTMLInputElement).value = room;
      const text = element('join-error');
      text.hidden = problem === undefined;
      text.textContent = problem ?? '';
      status.hidden = true;
      element('room').hidden = true;
    },

    /** Shows the chat. */
    showChat() {
      element('chat').hidden = false;
      input.focus();
    },

    /** Shows the connection state in the header, and explains it in the banner. */
    showState(state: ConnectionState) {
      status.dataset.state = STATES[state].shown;
      statusText.textContent = STATES[state].label;
      const text = BANNERS[state];
      banner.hidden = text === undefined;
      banner.textContent = text ?? '';
      banner.dataset.state = state;
    },

    /** Adds a message, marked as the person's own when they wrote it. */
    message(message: ChatMessage) {
      const item = document.createElement('li');
      item.className = message.author === name ? 'message mine' : 'message';
      const meta = document.createElement('div');
      meta.className = 'meta';
      const author = document.createElement('span');
      author.className = 'author';
      author.textContent = message.author;
      const time = document.createElement('time');
      time.dateTime = message.sentAt;
      time.textContent = new Date(message.sentAt).toLocaleTimeString([], {
        hour: '2-digit',
        minute: '2-digit',
      });
      const text = document.createElement('p');
      text.className = 'text';
      text.textContent = message.text;
      meta.append(author, time);
      item.append(meta, text);
      append(item);
    },

    /** Adds a line about the chat itself (joined, reconnected). */
    notice(text: string) {
      const item = document.createElement('li');
      item.className = 'notice';
      item.textContent = text;
      append(item);
    },

    /** Shows an error under the form; `null` hides it. */
    error: showError,

    /**
     * Calls `send` with each message the person submits. The field is cleared at once and
     * given the text back, with the error, when sending fails.
     */
    onSend(send: (text: string) => Promise<void>) {
      composer.addEventListener('submit', async (event) => {
        event.preventDefault();
        const text = input.value.trim();
        if (text === '') return;
        input.value = '';
        showError(null);
        try {
          await send(text);
        } catch (caught) {
          if (input.value === '') input.value = text;
          showError(`Not sent: ${caught instanceof Error ? caught.message : String(caught)}`);
        }
      });
    },
  };
}
