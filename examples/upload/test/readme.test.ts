import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';

const file = (path: string) => readFile(new URL(path, import.meta.url), 'utf8');

it("the README's Server-to-client calls snippets are exactly this example's files", async () => {
  const readme = await file('../../../README.md');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
  expect(blocks).toContain(await file('../src/routers.ts'));
  expect(blocks).toContain(await file('../src/client.ts'));
});
