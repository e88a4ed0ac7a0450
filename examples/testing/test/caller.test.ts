import { createCaller } from '@volley/server';
import { expect, it } from 'vitest';
import { createTodoRouter } from '../src/router.js';

it('adds a todo for a signed-in user', async () => {
  const caller = createCaller(createTodoRouter(), { user: 'ada' });
  const todo = await caller.add.mutate({ title: 'Write tests' });
  expect(todo).toEqual({ id: 1, title: 'Write tests', author: 'ada' });
  expect(await caller.list.query()).toEqual([todo]);
});

it('runs the middleware and the input schema, as the server does', async () => {
  const visitor = createCaller(createTodoRouter(), { user: null });
  await expect(visitor.add.mutate({ title: 'Sneak in' })).rejects.toMatchObject({
    code: 'UNAUTHORIZED',
  });
  const ada = createCaller(createTodoRouter(), { user: 'ada' });
  await expect(ada.add.mutate({ title: '  ' })).rejects.toMatchObject({
    code: 'INVALID_PARAMS',
    issues: [{ path: ['title'], message: 'Too small: expected string to have >=1 characters' }],
  });
});
