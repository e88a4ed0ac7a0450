// Presence types: the member's data is typed by createPubSub's second parameter, the
// identity is required when a presence is declared, and a client sees presence changes.
import { createClient, type Subscription } from '@volley/client';
import { initVolley, type PresenceMember } from '@volley/core';
import { createPubSub } from '@volley/server';
import { expectTypeOf, it } from 'vitest';
import WebSocket from 'ws';

const v = initVolley<{ user: { id: string; name: string } }>();
const rooms = createPubSub<{ lobby: string }, { name: string }>();

const router = v.router({
  join: v.procedure.subscription(({ ctx, signal }) =>
    rooms.subscribe('lobby', {
      signal,
      presence: { id: ctx.user.id, data: { name: ctx.user.name } },
    }),
  ),
  comings: v.procedure.subscription(({ signal }) => rooms.presenceEvents('lobby', { signal })),
  who: v.procedure.query(() => rooms.presence('lobby')),
});

it('types the members and the changes', () => {
  expectTypeOf(rooms.presence('lobby')).toEqualTypeOf<
    Promise<PresenceMember<{ name: string }>[]>
  >();
  const client = createClient<typeof router>({ url: 'ws://localhost:1', WebSocket, lazy: true });
  expectTypeOf(client.comings.subscribe()).toEqualTypeOf<
    Subscription<{
      readonly type: 'join' | 'leave';
      readonly member: { readonly id: string; readonly data: { name: string } };
    }>
  >();
  expectTypeOf(client.who.query()).resolves.toEqualTypeOf<
    { readonly id: string; readonly data: { name: string } }[]
  >();
});

it('refuses a presence without an id, data of another shape, or a topic it does not know', () => {
  // @ts-expect-error: a presence names its member.
  rooms.subscribe('lobby', { presence: { data: { name: 'Ada' } } });
  // @ts-expect-error: the data is `{ name: string }`.
  rooms.subscribe('lobby', { presence: { id: 'ada', data: { nick: 'Ada' } } });
  // @ts-expect-error: no such topic.
  rooms.presence('elsewhere');
});
