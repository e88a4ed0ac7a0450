/**
 * zod schemas of every Volley envelope: the protocol, written as code. They are the
 * reference the hand-written checks on the hot path are proven against, and a
 * convenient validator for tools and tests. Import from `@volley/core/schema`; the
 * main entry does not load zod, so the client stays small.
 */
import { z } from 'zod/v4';

/** `id`: a string, a number or null. */
export const requestIdSchema = z.union([z.string(), z.number(), z.null()]);

/** `params`: by position (array) or by name (object). */
export const paramsSchema = z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]);

/** A request or notification (no `id`). Both directions. */
export const requestSchema = z.object({
  jsonrpc: z.literal('2.0'),
  method: z.string(),
  id: requestIdSchema.optional(),
  params: paramsSchema.optional(),
});

/**
 * Any value `JSON.parse` can give, which is what JSON-RPC 2.0 allows in `result` and
 * `error.data`. Not `z.json()`: it rejects non-finite numbers, yet `1e999` is valid
 * JSON (it parses to `Infinity`), and `isResponse` does not walk these members either.
 */
const anyJsonValue = z.unknown().refine((value) => value !== undefined, 'Required');

/** The `error` member of an error response. */
export const errorObjectSchema = z.object({
  // Any integer, as JSON-RPC 2.0 says; `z.int()` would also reject integers past 2^53.
  code: z.number().refine(Number.isInteger, 'Must be an integer'),
  message: z.string(),
  data: anyJsonValue.optional(),
});

/** A success response. server → client. */
export const successResponseSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: requestIdSchema,
  result: anyJsonValue,
  error: z.undefined().optional(),
});

/** An error response. server → client. */
export const errorResponseSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: requestIdSchema,
  result: z.undefined().optional(),
  error: errorObjectSchema,
});

/** Either response. server → client. */
export const responseSchema = z.union([successResponseSchema, errorResponseSchema]);

const subscriptionIdSchema = z.union([z.string(), z.number()]);

/** The result acknowledging a subscription request. server → client. */
export const subscriptionAckSchema = z.object({ subscription: subscriptionIdSchema });

/** `rpc.event` notification. server → client. */
export const eventNotificationSchema = z.object({
  jsonrpc: z.literal('2.0'),
  method: z.literal('rpc.event'),
  params: z.object({
    subscription: subscriptionIdSchema,
    data: anyJsonValue,
    eventId: z.string().optional(),
  }),
});

/** `rpc.complete` notification. server → client. */
export const completeNotificationSchema = z.object({
  jsonrpc: z.literal('2.0'),
  method: z.literal('rpc.complete'),
  params: z.object({ subscription: subscriptionIdSchema }),
});

/** `rpc.error` notification. server → client. */
export const subscriptionErrorNotificationSchema = z.object({
  jsonrpc: z.literal('2.0'),
  method: z.literal('rpc.error'),
  params: z.object({ subscription: subscriptionIdSchema, error: errorObjectSchema }),
});

/** `rpc.cancel`, usually a notification. client → server. */
export const cancelRequestSchema = z.object({
  jsonrpc: z.literal('2.0'),
  method: z.literal('rpc.cancel'),
  id: requestIdSchema.optional(),
  params: z.object({ id: subscriptionIdSchema }),
});

/** A batch: a non-empty array of requests. client → server. */
export const batchSchema = z.array(z.unknown()).min(1);
