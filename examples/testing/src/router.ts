import { initVolley, VolleyError } from '@volley/core';
import { createPubSub } from '@volley/server';
import { z } from 'zod';

/** Who calls: a user's name, or `null` for a visitor. */
export interface Context {
  user: string | null;
}

export interface Todo {
  id: number;
  title: string;
  author: string;
}

const v = initVolley<Context>();

/** Only a signed-in user may go on; the resolver then sees `ctx.user` as a string. */
const signedIn = v.procedure.use(async ({ ctx, next }) => {
  if (ctx.user === null) throw new VolleyError({ code: 'UNAUTHORIZED', message: 'Sign in first' });
  return next({ ctx: { user: ctx.user } });
});

/** A small todo list: a query, a mutation behind a middleware, and a subscription. */
export function createTodoRouter() {
  const todos: Todo[] = [];
  const events = createPubSub<{ added: Todo }>();
  return v.router({
    list: v.procedure.query(() => todos),
    add: signedIn
      .input(z.object({ title: z.string().trim().min(1) }))
      .mutation(async ({ ctx, input }) => {
        const todo: Todo = { id: todos.length + 1, title: input.title, author: ctx.user };
        todos.push(todo);
        await events.publish('added', todo);
        return todo;
      }),
    onAdded: v.procedure.subscription(({ signal }) => events.subscribe('added', { signal })),
  });
}

export type TodoRouter = ReturnType<typeof createTodoRouter>;
