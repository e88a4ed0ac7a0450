// The page: picks an image, reads its bytes and sends them with `upload`, over Volley's
// MessagePack codec (`@volley/client/msgpack`), so they travel as bytes.
import { createClient } from '@volley/client';
import { msgpack } from '@volley/client/msgpack';
import type { ImageRouter } from '../router.js';

const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rpc`;
const client = createClient<ImageRouter, 'msgpack'>({ url, codec: msgpack });

const status = document.getElementById('status') as HTMLParagraphElement;
const input = document.getElementById('file') as HTMLInputElement;

client.$onStateChange((state) => {
  if (state === 'open') status.textContent = 'Ready: pick an image';
});

input.addEventListener('change', async () => {
  const file = input.files?.[0];
  if (file === undefined) return;
  status.textContent = `Sending ${file.name}…`;
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const stored = await client.upload.mutate({ name: file.name, type: file.type, bytes });
    status.textContent = `Stored ${stored.name}: ${stored.size} bytes, sha256 ${stored.sha256}`;
    status.dataset.sha256 = stored.sha256;
  } catch (error) {
    status.textContent = `Failed: ${error instanceof Error ? error.message : String(error)}`;
  }
});
