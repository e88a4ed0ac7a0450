// The image upload router: `upload` takes an image's bytes (a Uint8Array, which the
// MessagePack codec carries as bytes) and keeps it; `images` lists what is kept.
import { createHash } from 'node:crypto';
import { initVolley, VolleyError } from '@volley/core';
import { z } from 'zod';

/** The largest image the page may send: 512 KiB, within the server's `maxPayload`. */
export const MAX_IMAGE_BYTES = 512 * 1024;

/** What the server keeps of each upload, by name. */
export const stored = new Map<string, Uint8Array>();

const v = initVolley();

export const router = v.router({
  upload: v.procedure
    .input(
      z.object({
        name: z.string().min(1).max(200),
        type: z.string().max(100),
        bytes: z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'Expected bytes'),
      }),
    )
    .mutation(({ input }) => {
      if (input.bytes.length > MAX_IMAGE_BYTES) {
        throw new VolleyError({ code: 'PAYLOAD_TOO_LARGE', message: 'At most 512 KiB' });
      }
      // A copy: the input is a view of the frame it came in.
      stored.set(input.name, Uint8Array.from(input.bytes));
      return {
        name: input.name,
        size: input.bytes.length,
        sha256: createHash('sha256').update(input.bytes).digest('hex'),
      };
    }),
  images: v.procedure.query(() =>
    [...stored].map(([name, bytes]) => ({ name, size: bytes.length })),
  ),
});

export type ImageRouter = typeof router;
