import type { VolleyClient } from '@volley/client';
import type { UploadRouter } from './routers.js';

/** Bytes per chunk: 16 KiB, well under the server's 1 MiB frame limit once in base64. */
export const CHUNK_BYTES = 16 * 1024;

/**
 * Uploads `bytes` as `name` in chunks, one mutation each, calling `onProgress(sent, total)`
 * after each; the server then asks the client to confirm before storing it.
 */
export async function upload(
  client: VolleyClient<UploadRouter>,
  name: string,
  bytes: Uint8Array,
  onProgress: (sent: number, total: number) => void,
): Promise<{ stored: number }> {
  for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
    const chunk = bytes.subarray(offset, offset + CHUNK_BYTES);
    await client.chunk.mutate({ name, data: Buffer.from(chunk).toString('base64') });
    onProgress(Math.min(offset + CHUNK_BYTES, bytes.length), bytes.length);
  }
  return client.finish.mutate({ name });
}
