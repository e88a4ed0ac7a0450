import { createServer } from '@volley/server';
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connect } from '../src/client.js';
import { createUploadRouter } from '../src/routers.js';
import { CHUNK_BYTES, upload } from '../src/upload.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A server on a port and a client whose user answers the confirmation with `answer`. */
async function start(answer: boolean) {
  const store = new Map<string, Buffer>();
  const server = createServer({ router: createUploadRouter(store) });
  const { port } = await server.listen(0, '127.0.0.1');
  closers.push(() => server.close());
  const asked: Array<{ name: string; size: number }> = [];
  const client = connect(
    `ws://127.0.0.1:${port}`,
    (name, size) => {
      asked.push({ name, size });
      return answer;
    },
    WebSocket,
  );

  closers.push(() => client.$close());
  return { store, client, asked };
}

it('uploads in chunks with progress, and stores the file once the client confirms', async () => {
  const { store, client, asked } = await start(true);
  const bytes = new Uint8Array(5 * CHUNK_BYTES + 100).map((_, index) => index % 251);
  const progress: number[] = [];
  const result = await upload(client, 'a.bin', bytes, (sent) => progress.push(sent));
  expect(result).toEqual({ stored: bytes.length });
  expect(progress).toEqual([1, 2, 3, 4, 5].map((n) => n * CHUNK_BYTES).concat(bytes.length));
  expect(asked).toEqual([{ name: 'a.bin', size: bytes.length }]);
  expect(store.get('a.bin')?.equals(Buffer.from(bytes))).toBe(true);
});

it('stores nothing when the client declines', async () => {
  const { store, client, asked } = await start(false);
  const bytes = new Uint8Array(CHUNK_BYTES * 2);
  await expect(upload(client, 'b.bin', bytes, () => {})).rejects.toMatchObject({
    code: 'CONFLICT',
    message: 'Declined by the user',
  });
  expect(asked).toHaveLength(1);
  expect(store.has('b.bin')).toBe(false);
});
