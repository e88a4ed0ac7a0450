import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';

const file = (path: string) => readFile(new URL(path, import.meta.url), 'utf8');

it("the README's Testing your router snippets are exactly this example's tests", async () => {
  const readme = await file('../../../README.md');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
  expect(blocks).toContain(await file('./caller.test.ts'));
  expect(blocks).toContain(await file('./in-memory.test.ts'));
});
