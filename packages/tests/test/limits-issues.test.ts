// maxIssues, and the bounds on what an -32602 reply says: however many issues a schema
// reports for a hostile input, and whatever the input holds, the reply stays small and
// echoes none of it. Also measures what validating such an input costs the server.
import { performance } from 'node:perf_hooks';
import { initVolley, type StandardSchemaV1 } from '@volley/core';
import {
  BATCH_BYTES_PER_ISSUE,
  BATCH_FULL_ANSWERS,
  createServer,
  DEFAULT_MAX_ISSUES,
  DEFAULT_MAX_PAYLOAD,
  MAX_ISSUE_KEY_LENGTH,
  MAX_ISSUE_MESSAGE_LENGTH,
  MAX_ISSUE_PATH_LENGTH,
} from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Harness, startHarness } from './helpers/harness.js';

/** Each validation `timed` ran: how long it took, in ms, and how many issues it found. */
const validations: Array<{ ms: number; issues: number }> = [];

/** `schema`, timing each validation the server asks of it: the event loop is blocked meanwhile. */
function timed<T extends StandardSchemaV1>(schema: T): T {
  const standard = schema['~standard'];
  return {
    ...schema,
    '~standard': {
      ...standard,
      validate(value: unknown) {
        const started = performance.now();
        const result = standard.validate(value) as Awaited<ReturnType<typeof standard.validate>>;
        validations.push({ ms: performance.now() - started, issues: result.issues?.length ?? 0 });
        return result;
      },
    },
  } as T;
}

/** Records 20 levels deep with strings at the bottom: issue paths made of the input's keys. */
let tree: z.ZodType = z.string();
for (let level = 0; level < 20; level++) tree = z.record(z.string(), tree);

const v = initVolley();
const router = v.router({
  strings: v.procedure.input(timed(z.array(z.string()))).query(({ input }) => input.length),
  strict: v.procedure.input(z.object({ name: z.string().optional() }).strict()).query(() => 'ok'),
  tree: v.procedure.input(tree).query(() => 'ok'),
  refined: v.procedure
    .input(z.string().refine(() => false, { message: 'x'.repeat(5_000) }))
    .query(() => 'ok'),
});

let harness: Harness<typeof router> | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  validations.length = 0;
});

async function start(options: { maxIssues?: number; maxValues?: number } = {}) {
  harness = await startHarness({ router, ...options });
  return harness;
}

/** `[0,0,...]`: `count` numbers where the schema wants strings, one issue each. */
function zeros(count: number): string {
  return `[${'0,'.repeat(count - 1)}0]`;
}

interface ErrorReply {
  id: unknown;
  error: {
    code: number;
    data: { code: string; issues: Array<{ path: Array<string | number>; message: string }> };
  };
}

/** Sends `frame` on a raw socket and returns the reply's text. */
async function exchange(started: Harness<typeof router>, frame: string): Promise<string> {
  const peer = await started.raw();
  const reply = new Promise<string>((resolve) =>
    peer.ws!.once('message', (data) => resolve(data.toString())),
  );
  peer.socket.send(frame);
  return reply;
}

const bytes = (text: string) => Buffer.byteLength(text);

it('defaults to 20 issues, 200-character messages, 16 keys of 64 characters', () => {
  expect(DEFAULT_MAX_ISSUES).toBe(20);
  expect(MAX_ISSUE_MESSAGE_LENGTH).toBe(200);
  expect(MAX_ISSUE_PATH_LENGTH).toBe(16);
  expect(MAX_ISSUE_KEY_LENGTH).toBe(64);
});

it('answers a 900 kB [0,0,…] to z.array(z.string()) with 20 issues and a count of the rest', async () => {
  // maxValues (10,000 by default) would refuse it before any validation: lifted here, to
  // show what bounds the reply when a schema does see such an input.
  const started = await start({ maxValues: Number.POSITIVE_INFINITY });
  const count = 450_000;
  const frame = `{"jsonrpc":"2.0","id":1,"method":"strings","params":[${zeros(count)}]}`;
  const sentAt = performance.now();
  const text = await exchange(started, frame);
  const roundTrip = performance.now() - sentAt;
  const reply = JSON.parse(text) as ErrorReply;
  expect(reply.error.code).toBe(-32602);
  const { issues } = reply.error.data;
  expect(issues).toHaveLength(DEFAULT_MAX_ISSUES + 1);
  expect(issues.slice(0, DEFAULT_MAX_ISSUES)).toEqual(
    Array.from({ length: DEFAULT_MAX_ISSUES }, (_, index) => ({
      path: [index],
      message: 'Invalid input: expected string, received number',
    })),
  );
  expect(issues.at(-1)).toEqual({
    path: [],
    message: `… and ${count - DEFAULT_MAX_ISSUES} more issues`,
  });
  const ratio = bytes(text) / bytes(frame);
  // The hostile reading is checked once; its second reading ([x] as the array [x]) fails at once.
  const hostile = validations.find((validation) => validation.issues === count);
  expect(hostile).toBeDefined();
  console.log(
    `[issues] 900 kB [0,0,…] → z.array(z.string()): request ${bytes(frame)} B, reply ${bytes(text)} B ` +
      `(${ratio.toFixed(4)} reply bytes per request byte); validating it blocked the event loop ` +
      `${hostile?.ms.toFixed(0)} ms (${validations.map((validation) => `${validation.ms.toFixed(1)} ms for ${validation.issues} issues`).join(', ')}); ` +
      `round trip ${roundTrip.toFixed(0)} ms`,
  );
  expect(bytes(text)).toBeLessThan(4_096);
});

it('with maxValues lifted, a 1 MiB frame, the most maxPayload lets through, is validated once', async () => {
  // What bounds the validation time without maxValues: maxPayload bounds the elements a
  // frame can hold. (limits-values.test.ts: by default it never reaches the schema.)
  const started = await start({ maxValues: Number.POSITIVE_INFINITY });
  const overhead = bytes('{"jsonrpc":"2.0","id":1,"method":"strings","params":[[0]]}');
  const count = Math.floor((DEFAULT_MAX_PAYLOAD - overhead) / 2) + 1;
  const frame = `{"jsonrpc":"2.0","id":1,"method":"strings","params":[${zeros(count)}]}`;
  expect(bytes(frame)).toBeLessThanOrEqual(DEFAULT_MAX_PAYLOAD);
  const text = await exchange(started, frame);
  expect((JSON.parse(text) as ErrorReply).error.data.issues.at(-1)?.message).toBe(
    `… and ${count - DEFAULT_MAX_ISSUES} more issues`,
  );
  const hostile = validations.find((validation) => validation.issues === count);
  console.log(
    `[issues] ${bytes(frame)} B frame of ${count} numbers (the maxPayload bound): validation ${hostile?.ms.toFixed(0)} ms, reply ${bytes(text)} B`,
  );
  expect(bytes(text)).toBeLessThan(4_096);
});

it('does not echo a 900 kB unknown key of a .strict() object', async () => {
  const started = await start();
  const key = 'k'.repeat(900_000);
  const frame = JSON.stringify({
    jsonrpc: '2.0',
    id: 2,
    method: 'strict',
    params: { [key]: 1, other: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7 },
  });
  const text = await exchange(started, frame);
  const reply = JSON.parse(text) as ErrorReply;
  expect(reply.error.code).toBe(-32602);
  const cut = `${'k'.repeat(MAX_ISSUE_KEY_LENGTH - 1)}…`;
  // At most five keys, each cut, and a count of the others.
  expect(reply.error.data.issues).toEqual([
    {
      path: [],
      message: `Unrecognized keys: "${cut}", "other", "third", "fourth", "fifth" and 2 more`,
    },
  ]);
  console.log(
    `[issues] 900 kB unknown key on .strict(): request ${bytes(frame)} B, reply ${bytes(text)} B`,
  );
  expect(bytes(text)).toBeLessThan(1_024);
  // Five long keys, each cut to 64 characters, still make a message of at most 200.
  const many = Object.fromEntries(
    Array.from({ length: 7 }, (_, index) => [`${index}${'k'.repeat(100_000)}`, index]),
  );
  const manyText = await exchange(
    started,
    JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'strict', params: many }),
  );
  const [issue] = (JSON.parse(manyText) as ErrorReply).error.data.issues;
  expect(issue?.message).toHaveLength(MAX_ISSUE_MESSAGE_LENGTH);
  expect(issue?.message).toMatch(/^Unrecognized keys: "0k+…", "1k+…", "2k+/);
  expect(issue?.message.endsWith('…')).toBe(true);
});

it('cuts paths to 16 keys of at most 64 characters, and messages to 200 characters', async () => {
  const started = await start();
  const long = 'p'.repeat(1_000);
  // 20 levels of 1,000-character keys, with a number at the bottom where a string belongs.
  let params: unknown = 0;
  for (let level = 0; level < 20; level++) params = { [`${level}${long}`]: params };
  const text = await exchange(
    started,
    JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tree', params }),
  );
  const reply = JSON.parse(text) as ErrorReply;
  expect(reply.error.code).toBe(-32602);
  for (const issue of reply.error.data.issues) {
    expect(issue.path.length).toBeLessThanOrEqual(MAX_ISSUE_PATH_LENGTH + 1);
    for (const key of issue.path) expect(String(key).length).toBeLessThanOrEqual(64);
    expect(issue.message.length).toBeLessThanOrEqual(MAX_ISSUE_MESSAGE_LENGTH);
  }
  const deepest = reply.error.data.issues.find(
    (issue) => issue.path.length === MAX_ISSUE_PATH_LENGTH + 1,
  );
  expect(deepest?.path.at(-1)).toBe('…');
  expect(deepest?.path[0]).toBe(`19${'p'.repeat(61)}…`);
  expect(bytes(text)).toBeLessThan(32_768);

  const refused = JSON.parse(
    await exchange(started, '{"jsonrpc":"2.0","id":4,"method":"refined","params":["a"]}'),
  ) as ErrorReply;
  expect(refused.error.data.issues).toEqual([
    { path: [], message: `${'x'.repeat(MAX_ISSUE_MESSAGE_LENGTH - 1)}…` },
  ]);
});

/** A batch of `members` calls to `strings`, each with `numbers` numbers where strings belong. */
function hostileBatch(members: number, numbers: number): string {
  const member = (id: number) =>
    `{"jsonrpc":"2.0","id":${id},"method":"strings","params":[${zeros(numbers)}]}`;
  return `[${Array.from({ length: members }, (_, id) => member(id)).join(',')}]`;
}

describe('a batch of hostile members', () => {
  /** The issues a batch of `frame`'s size may show in all (see BATCH_BYTES_PER_ISSUE). */
  const budgetOf = (frame: string) =>
    DEFAULT_MAX_ISSUES * BATCH_FULL_ANSWERS + Math.floor(frame.length / BATCH_BYTES_PER_ISSUE);

  /** Every member answered -32602 with a count of what was left out, and the issues shown in all. */
  function shownIssues(replies: ErrorReply[], numbers: number): number {
    let shown = 0;
    for (const reply of replies) {
      expect(reply.error.code).toBe(-32602);
      const issues = reply.error.data.issues;
      const listed = issues.length - 1;
      expect(listed).toBeLessThanOrEqual(DEFAULT_MAX_ISSUES);
      const left = numbers - listed;
      expect(issues.at(-1)?.message).toBe(`… and ${left} more issue${left === 1 ? '' : 's'}`);
      shown += listed;
    }
    return shown;
  }

  it('shows issues in order until the batch budget is spent, then only the count: the reply stays under the request', async () => {
    const started = await start();
    const members = 1_000;
    const frame = hostileBatch(members, 450);
    expect(bytes(frame)).toBeLessThanOrEqual(DEFAULT_MAX_PAYLOAD);
    const text = await exchange(started, frame);
    const replies = JSON.parse(text) as ErrorReply[];
    expect(replies).toHaveLength(members);
    // The first members show maxIssues each, the last ones none: the budget is spent in order.
    expect(replies[0]?.error.data.issues).toHaveLength(DEFAULT_MAX_ISSUES + 1);
    expect(replies.at(-1)?.error.data.issues).toHaveLength(1);
    expect(shownIssues(replies, 450)).toBe(budgetOf(frame));
    console.log(
      `[issues] batch of ${members} members of 450 numbers each: request ${bytes(frame)} B, ` +
        `reply ${bytes(text)} B (${(bytes(text) / bytes(frame)).toFixed(2)} reply bytes per request byte)`,
    );
    expect(bytes(text)).toBeLessThan(bytes(frame));
  });

  it('many small failing members: each answered, the issues bounded by the batch, about twice the request', async () => {
    const started = await start();
    const members = 1_000;
    const frame = hostileBatch(members, 21);
    const text = await exchange(started, frame);
    const replies = JSON.parse(text) as ErrorReply[];
    expect(replies).toHaveLength(members);
    expect(shownIssues(replies, 21)).toBe(budgetOf(frame));
    const largest = Math.max(...replies.map((reply) => bytes(JSON.stringify(reply))));
    console.log(
      `[issues] batch of ${members} members of 21 numbers each: request ${bytes(frame)} B, ` +
        `reply ${bytes(text)} B (${(bytes(text) / bytes(frame)).toFixed(2)} reply bytes per request byte; ` +
        `at most ${largest} B per member)`,
    );
    // Each member's answer without issues is about 1.5 times its request; the budget's
    // issues add at most about 0.8 bytes per request byte, plus 32 members' full answers.
    expect(bytes(text)).toBeLessThan(2.5 * bytes(frame) + BATCH_FULL_ANSWERS * 2_048);
  });

  it('a batch of one member shows its maxIssues, as a lone message does', async () => {
    const started = await start();
    const frame = hostileBatch(1, 450);
    const replies = JSON.parse(await exchange(started, frame)) as ErrorReply[];
    expect(replies[0]?.error.data.issues).toHaveLength(DEFAULT_MAX_ISSUES + 1);
  });

  it('maxIssues bounds the issues of every member', async () => {
    const started = await start({ maxIssues: 2 });
    const frame = `[${[1, 2, 3].map((id) => `{"jsonrpc":"2.0","id":${id},"method":"strings","params":[${zeros(5)}]}`).join(',')}]`;
    const replies = JSON.parse(await exchange(started, frame)) as ErrorReply[];
    expect(replies.map((reply) => reply.error.data.issues)).toEqual(
      [1, 2, 3].map(() => [
        { path: [0], message: 'Invalid input: expected string, received number' },
        { path: [1], message: 'Invalid input: expected string, received number' },
        { path: [], message: '… and 3 more issues' },
      ]),
    );
  });
});

it("bounds the issues of the protocol's own checks too: -32600, and rpc.resume's -32602", async () => {
  const started = await start({ maxIssues: 1 });
  const invalid = JSON.parse(
    await exchange(started, '{"jsonrpc":"1.0","id":1,"method":5}'),
  ) as ErrorReply;
  expect(invalid.error.code).toBe(-32600);
  expect(invalid.error.data.issues).toEqual([
    { path: ['jsonrpc'], message: 'Must be exactly "2.0"' },
    { path: [], message: '… and 1 more issue' },
  ]);
  const resume = JSON.parse(
    await exchange(
      started,
      '{"jsonrpc":"2.0","id":2,"method":"rpc.resume","params":{"method":1,"params":2,"lastEventId":3}}',
    ),
  ) as ErrorReply;
  expect(resume.error.code).toBe(-32602);
  expect(resume.error.data.issues).toEqual([
    { path: ['params', 'method'], message: 'Must be a string' },
    { path: [], message: '… and 2 more issues' },
  ]);
});

it('says "1 more issue" for one left out, and nothing when none are', async () => {
  const started = await start({ maxIssues: 2 });
  const three = JSON.parse(
    await exchange(started, `{"jsonrpc":"2.0","id":1,"method":"strings","params":[${zeros(3)}]}`),
  ) as ErrorReply;
  expect(three.error.data.issues.at(-1)).toEqual({ path: [], message: '… and 1 more issue' });
  const two = JSON.parse(
    await exchange(started, `{"jsonrpc":"2.0","id":2,"method":"strings","params":[${zeros(2)}]}`),
  ) as ErrorReply;
  expect(two.error.data.issues).toHaveLength(2);
});

it('rejects a maxIssues that is not a positive integer', async () => {
  for (const maxIssues of [0, -1, 1.5, Number.NaN]) {
    expect(() => createServer({ router, maxIssues })).toThrow(TypeError);
  }
  await createServer({ router, maxIssues: Infinity }).close();
});
