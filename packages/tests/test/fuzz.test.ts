// Property-based fuzzing of a live server with fast-check: random and mutated frames
// (helpers/fuzz-frames.ts) on one raw socket, each checked against what PROTOCOL.md
// says it must get (helpers/fuzz-oracle.ts): the right JSON-RPC responses or errors, or
// a documented close, never a crash, a hang or an internal error. Meanwhile a typed
// client on another connection keeps calling and checks every answer.
//
// A third property sends hostile MessagePack frames (helpers/fuzz-binary-frames.ts) on a
// connection that asked for `volley.msgpack`.
//
// CI runs a bounded number of frames; `pnpm fuzz` runs 100,000 (FUZZ_FRAMES=n for more,
// FUZZ_SEED=n to replay a run).
import { type VolleyClient, VolleyError } from '@volley/client';
import { initVolley } from '@volley/core';
import type { ErrorInfo } from '@volley/server';
import { msgpack } from '@volley/server/msgpack';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { binaryFrames } from './helpers/fuzz-binary-frames.js';
import { FUZZ_LIMITS, frames } from './helpers/fuzz-frames.js';
import { type Expectation, expectationOf, isAck, responseProblem } from './helpers/fuzz-oracle.js';
import { type Harness, openRaw, type RawPeer, startHarness, within } from './helpers/harness.js';
import { type MsgpackPeer, openMsgpack } from './helpers/msgpack-peer.js';

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 1_500);
const FIRST_FRAMES = Math.max(50, Math.round(FRAMES / 20));
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

interface Ctx {
  user: string;
}

/** Connection params must be absent or `{ token: string }`; anything else is refused. */
function contextFrom(connectionParams: unknown): Ctx {
  if (connectionParams === undefined) return { user: 'anonymous' };
  const token = (connectionParams as { token?: unknown } | null)?.token;
  if (typeof token !== 'string') {
    throw new VolleyError({ code: 'UNAUTHORIZED', message: 'Bad connection params' });
  }
  return { user: token };
}

const v = initVolley<Ctx>();
const router = v.router({
  add: v.procedure
    .input(z.object({ a: z.number(), b: z.number() }))
    .query(({ input }) => input.a + input.b),
  // An array input, which takes [x] and [] as well (the second reading of params).
  list: v.procedure.input(z.array(z.number())).query(({ input }) => input.length),
  // Unknown keys are refused, and named in the issue: cut, never echoed whole.
  strict: v.procedure
    .input(z.object({ a: z.number(), b: z.number() }).strict())
    .query(({ input }) => input.a - input.b),
  // Wrapped, so that no result can look like a subscription's acknowledgement.
  echo: v.procedure.input(z.unknown()).query(({ input }) => ({ echoed: input })),
  greet: v.procedure.input(z.string()).mutation(({ input, ctx }) => `${ctx.user}: ${input}`),
  none: v.procedure.query(() => null),
  fail: v.procedure.query(() => {
    throw new VolleyError({ code: 'NOT_FOUND', message: 'Nothing here' });
  }),
  ticks: v.procedure
    .input(z.number().int().min(0).max(3).optional())
    .subscription(async function* ({ input }) {
      for (let tick = 1; tick <= (input ?? 1); tick++) yield tick;
    }),
});

let harness: Harness<typeof router>;
const internalErrors: ErrorInfo[] = [];

beforeAll(async () => {
  harness = await startHarness({
    router,
    createContext: ({ connectionParams }) => contextFrom(connectionParams),
    onError: (info) => {
      if (info.error.code === 'INTERNAL_ERROR') internalErrors.push(info);
    },
    maxPayload: FUZZ_LIMITS.maxPayload,
    maxDepth: FUZZ_LIMITS.maxDepth,
    maxBatchLength: FUZZ_LIMITS.maxBatchLength,
    maxIssues: FUZZ_LIMITS.maxIssues,
    codecs: [msgpack],
    // The fuzzed peer and the client beside it send as fast as they are answered, which on
    // a quiet machine passes the default 1,000 messages per second: a bucket they never
    // empty keeps the rate limit's path in play without making answers depend on timing
    // (limits-rate.test.ts and plain-clients.test.ts test the refusals).
    rateLimit: { messagesPerSecond: 1_000_000, burst: 1_000_000 },
  });
});
afterAll(() => harness.close());

/** A raw peer whose connection is accepted with rpc.init, so fuzz frames are never first. */
async function acceptedPeer(): Promise<RawPeer> {
  const peer = await openRaw(harness.url);
  const accepted = await peer.request({
    jsonrpc: '2.0',
    id: 'init',
    method: 'rpc.init',
    params: { connectionParams: { token: 'fuzz' } },
  });
  expect(accepted).toMatchObject({ id: 'init', result: { protocol: 1 } });
  return peer;
}

const stats = { frames: 0, closes: 0, responses: 0, events: 0, goodCalls: 0 };
let sentinel = 0;

/**
 * Sends `text` on `peer` followed by a ping, then reads until the ping is answered, every
 * expected response has arrived and every acknowledged subscription has ended. Returns
 * the problems found (empty when all is well) and whether the socket closed.
 */
async function exchange(peer: RawPeer, text: string, expected: Expectation): Promise<string[]> {
  const problems: string[] = [];
  const ping = `sentinel-${++sentinel}`;
  peer.send(text);
  if (expected.kind === 'close') {
    const { code } = await within(peer.closed, 'the documented close');
    if (code !== expected.code) problems.push(`closed with ${code}, not ${expected.code}`);
    return problems;
  }
  peer.send({ jsonrpc: '2.0', id: ping, method: 'rpc.ping' });
  const wanted = expected.kind === 'single' || expected.kind === 'batch' ? [...expected.ids] : [];
  let frameErrorSeen = expected.kind !== 'frame-error';
  let pinged = false;
  const live = new Set<string>();
  const take = (id: unknown) => {
    const index = wanted.indexOf(JSON.stringify(id));
    if (index === -1) problems.push(`an unexpected response with id ${JSON.stringify(id)}`);
    else wanted.splice(index, 1);
  };
  const onResponse = (message: Record<string, unknown>, inBatch: boolean) => {
    stats.responses++;
    const problem = responseProblem(message);
    if (problem !== undefined) problems.push(`${problem}: ${JSON.stringify(message)}`);
    if (isAck(message)) live.add(JSON.stringify(message.id));
    if (expected.kind === 'frame-error' && !frameErrorSeen && !inBatch) {
      frameErrorSeen = true;
      const code = (message.error as { code?: number } | undefined)?.code;
      if (code === undefined || !expected.codes.includes(code)) {
        problems.push(`a frame error ${code}, expected one of ${expected.codes.join(', ')}`);
      }
      if (message.id !== null && JSON.stringify(message.id) !== expected.id) {
        problems.push(`a frame error with id ${JSON.stringify(message.id)}`);
      }
      return;
    }
    // A cancelled call is answered on its own, outside its batch.
    take(message.id);
    if (expected.kind === 'single' && inBatch) problems.push('a batch answer to a single request');
  };
  while (!pinged || wanted.length > 0 || !frameErrorSeen || live.size > 0) {
    if (problems.length > 0) break;
    const frame = await peer.next(`the answers to ${text.slice(0, 200)}`);
    if (Array.isArray(frame)) {
      if (expected.kind !== 'batch') problems.push('an unexpected batch answer');
      if (frame.length === 0) problems.push('an empty batch answer');
      for (const item of frame) onResponse(item as Record<string, unknown>, true);
      continue;
    }
    if (typeof frame !== 'object' || frame === null) {
      problems.push(`a frame that is not a JSON object: ${String(frame).slice(0, 200)}`);
      continue;
    }
    const message = frame as Record<string, unknown>;
    if (message.id === ping) {
      pinged = true;
      if (message.result !== 'pong') problems.push(`the ping got ${JSON.stringify(message)}`);
      continue;
    }
    if (typeof message.method === 'string') {
      // A subscription's notification: only for one acknowledged and not yet ended.
      stats.events++;
      const params = message.params as { subscription?: unknown; error?: unknown } | undefined;
      const key = JSON.stringify(params?.subscription);
      if (!live.has(key)) problems.push(`a ${message.method} for subscription ${key}`);
      if (message.method === 'rpc.complete') live.delete(key);
      else if (message.method === 'rpc.error') {
        live.delete(key);
        problems.push(`a subscription failed: ${JSON.stringify(params?.error)}`);
      } else if (message.method !== 'rpc.event') problems.push(`a ${message.method}`);
      continue;
    }
    onResponse(message, false);
  }
  return problems;
}

/** The typed client on another connection, calling until told to stop. */
function wellBehaved(client: VolleyClient<typeof router>) {
  let stop = false;
  const done = (async () => {
    for (let i = 0; !stop; i++) {
      const a = (i * 7919) % 1000;
      const b = i % 97;
      const sum = await client.add.query({ a, b });
      if (sum !== a + b) throw new Error(`add(${a}, ${b}) answered ${sum}`);
      if (i % 10 === 0) {
        const ticks: number[] = [];
        for await (const tick of client.ticks.subscribe(3)) ticks.push(tick);
        if (ticks.join() !== '1,2,3') throw new Error(`ticks gave ${ticks.join()}`);
      }
      stats.goodCalls++;
    }
  })();
  return {
    stop: () => {
      stop = true;
      return done;
    },
  };
}

it(`answers ${FRAMES} fuzzed frames as documented, and a client beside them throughout`, {
  timeout: 60_000 + FRAMES * 20,
}, async () => {
  const bystander = wellBehaved(harness.client());
  let peer = await acceptedPeer();
  try {
    await fc.assert(
      fc.asyncProperty(frames, async (sent) => {
        // The socket sends UTF-8: lone surrogates arrive as U+FFFD.
        const text = Buffer.from(sent, 'utf8').toString('utf8');
        const expected = expectationOf(text);
        stats.frames++;
        const problems = await exchange(peer, text, expected);
        if (expected.kind === 'close') {
          stats.closes++;
          peer = await acceptedPeer();
        }
        if (internalErrors.length > 0) {
          problems.push(
            `onError heard an internal error: ${String(internalErrors[0]?.error.cause)}`,
          );
          internalErrors.length = 0;
        }
        if (problems.length > 0) {
          // Start the next run (and any shrinking) on a fresh connection.
          await peer.close();
          peer = await acceptedPeer();
          throw new Error(problems.join('\n'));
        }
      }),
      { numRuns: FRAMES, seed: SEED, endOnFailure: false },
    );
  } finally {
    await peer.close();
    await bystander.stop();
  }
  console.log(
    `[fuzz] ${stats.frames} frames: ${stats.responses} responses, ${stats.events} subscription messages, ` +
      `${stats.closes} documented closes; the client beside them made ${stats.goodCalls} correct calls`,
  );
  expect(stats.goodCalls).toBeGreaterThan(0);
});

it(`answers ${FIRST_FRAMES} fuzzed first frames of a connection as documented`, {
  timeout: 60_000 + FIRST_FRAMES * 50,
}, async () => {
  // The first frame decides the context: rpc.init's params are checked, or there are none.
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        frames,
        fc
          .record(
            {
              id: fc.oneof(fc.integer(), fc.constant(null), fc.constant('i')),
              params: fc.oneof(
                fc.record({
                  connectionParams: fc.oneof(fc.record({ token: fc.string() }), fc.jsonValue()),
                }),
                fc.jsonValue(),
              ),
            },
            { requiredKeys: [] },
          )
          .map((fields) => JSON.stringify({ jsonrpc: '2.0', method: 'rpc.init', ...fields })),
      ),
      async (sent) => {
        const text = Buffer.from(sent, 'utf8').toString('utf8');
        const peer = await openRaw(harness.url);
        try {
          const problems = await firstFrame(peer, text);
          if (problems.length > 0) throw new Error(problems.join('\n'));
        } finally {
          await peer.close();
        }
      },
    ),
    { numRuns: FIRST_FRAMES, seed: SEED },
  );
});

/** Checks the answer to a connection's first frame. */
async function firstFrame(peer: RawPeer, text: string): Promise<string[]> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {}
  const init = value as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
  const isInit =
    Buffer.byteLength(text) <= FUZZ_LIMITS.maxPayload &&
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    init.jsonrpc === '2.0' &&
    init.method === 'rpc.init' &&
    (init.id === undefined ||
      typeof init.id === 'string' ||
      init.id === null ||
      (typeof init.id === 'number' && Number.isFinite(init.id))) &&
    (init.params === undefined || (typeof init.params === 'object' && init.params !== null));
  if (!isInit) return exchange(peer, text, expectationOf(text));
  const params = init.params;
  const connectionParams =
    typeof params === 'object' && params !== null && !Array.isArray(params)
      ? (params as { connectionParams?: unknown }).connectionParams
      : undefined;
  let refused = false;
  try {
    contextFrom(connectionParams);
  } catch {
    refused = true;
  }
  peer.send(text);
  if (refused) {
    const { code } = await within(peer.closed, 'the refusal');
    return code === 4401 ? [] : [`a refused rpc.init closed with ${code}, not 4401`];
  }
  const problems: string[] = [];
  if (init.id !== undefined) {
    const answer = (await peer.next('the rpc.init answer')) as Record<string, unknown>;
    const result = answer.result as { protocol?: unknown } | undefined;
    if (JSON.stringify(answer.id) !== JSON.stringify(init.id) || result?.protocol !== 1) {
      problems.push(`rpc.init was answered ${JSON.stringify(answer)}`);
    }
  }
  const ping = await peer.request({ jsonrpc: '2.0', id: 'after', method: 'rpc.ping' });
  if ((ping as { result?: unknown }).result !== 'pong') problems.push('no pong after rpc.init');
  return problems;
}

/** A MessagePack peer whose connection is accepted with rpc.init. */
async function acceptedBinaryPeer(): Promise<MsgpackPeer> {
  const peer = await openMsgpack(harness.url);
  const accepted = await peer.request({
    jsonrpc: '2.0',
    id: 'init',
    method: 'rpc.init',
    params: { connectionParams: { token: 'fuzz' } },
  });
  expect(accepted).toMatchObject({ id: 'init', result: { protocol: 1 } });
  return peer;
}

/** A decoded answer as `responseProblem` checks it: a 64-bit id (a BigInt here) is a number. */
function asChecked(message: unknown): unknown {
  if (typeof message !== 'object' || message === null) return message;
  const { id } = message as { id?: unknown };
  return typeof id === 'bigint' ? { ...message, id: Number(id) } : message;
}

const binaryStats = { frames: 0, answers: 0, closes: 0 };

/**
 * Sends `frame` then a ping on `peer` and reads up to the pong: every answer before it
 * must be a documented response (never an internal error), and the only close allowed is
 * 1009 for a frame past maxPayload.
 */
async function binaryExchange(peer: MsgpackPeer, frame: Uint8Array): Promise<string[]> {
  const problems: string[] = [];
  const ping = `sentinel-${++sentinel}`;
  peer.send(frame);
  if (frame.length > FUZZ_LIMITS.maxPayload) {
    const { code } = await within(peer.closed, 'the 1009 close');
    return code === 1009 ? [] : [`closed with ${code}, not 1009`];
  }
  peer.send({ jsonrpc: '2.0', id: ping, method: 'rpc.ping' });
  for (;;) {
    const answer = await Promise.race([
      peer.next('the answers and the pong'),
      peer.closed.then(({ code }) => ({ closed: code })),
    ]);
    if (typeof answer === 'object' && answer !== null && 'closed' in answer) {
      problems.push(`closed with ${(answer as { closed: number }).closed}`);
      break;
    }
    const message = answer as Record<string, unknown>;
    if (message.id === ping) {
      if (message.result !== 'pong') problems.push(`the ping got ${String(message.result)}`);
      break;
    }
    if ('text' in message) {
      problems.push('a text frame on a binary connection');
      continue;
    }
    binaryStats.answers++;
    for (const item of Array.isArray(message) ? message : [message]) {
      const problem = responseProblem(asChecked(item));
      if (problem !== undefined) problems.push(problem);
    }
  }
  return problems;
}

it(`answers ${FRAMES} hostile MessagePack frames as documented, and clients beside them throughout`, {
  timeout: 60_000 + FRAMES * 20,
}, async () => {
  const bystander = wellBehaved(harness.client());
  let peer = await acceptedBinaryPeer();
  try {
    await fc.assert(
      fc.asyncProperty(binaryFrames, async (frame) => {
        binaryStats.frames++;
        const problems = await binaryExchange(peer, frame);
        if (frame.length > FUZZ_LIMITS.maxPayload) {
          binaryStats.closes++;
          peer = await acceptedBinaryPeer();
        }
        if (internalErrors.length > 0) {
          problems.push(
            `onError heard an internal error: ${String(internalErrors[0]?.error.cause)}`,
          );
          internalErrors.length = 0;
        }
        if (({} as Record<string, unknown>).polluted !== undefined) {
          problems.push('Object.prototype was polluted');
        }
        if (problems.length > 0) {
          await peer.close();
          peer = await acceptedBinaryPeer();
          throw new Error(
            `${problems.join('\n')}\nframe: ${Buffer.from(frame).toString('hex').slice(0, 400)}`,
          );
        }
      }),
      { numRuns: FRAMES, seed: SEED, endOnFailure: false },
    );
  } finally {
    await peer.close();
    await bystander.stop();
  }
  console.log(
    `[fuzz] ${binaryStats.frames} MessagePack frames: ${binaryStats.answers} answers, ` +
      `${binaryStats.closes} documented closes; the client beside them made ${stats.goodCalls} correct calls in all`,
  );
  expect(binaryStats.answers).toBeGreaterThan(0);
});
