// What the fuzzed server must answer to a frame, worked out from PROTOCOL.md alone (no
// server code): which ids get exactly one response, whether the answer is a batch, a
// frame-level error or a close, and what every message sent must look like.
import { ERROR_CODES, STANDARD_MESSAGES } from '@volley/core';
import { FUZZ_LIMITS } from './fuzz-frames.js';

export type Expectation =
  /** The socket must close with this code. */
  | { kind: 'close'; code: number }
  /** One error for the whole frame, with one of these codes, and id null (or `id`). */
  | { kind: 'frame-error'; codes: number[]; id: string | undefined }
  /** One response per entry of `ids` (JSON of each id), in one object or one array. */
  | { kind: 'single' | 'batch'; ids: string[] }
  /** Nothing at all: notifications only. */
  | { kind: 'none' };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function validId(id: unknown): boolean {
  return typeof id === 'string' || id === null || (typeof id === 'number' && Number.isFinite(id));
}

/** The JSON of the id a response to `member` carries, or `undefined` if it gets none. */
function replyId(member: unknown): string | undefined {
  if (!isObject(member)) return 'null';
  const { id, params } = member;
  const valid =
    member.jsonrpc === '2.0' &&
    typeof member.method === 'string' &&
    (id === undefined || validId(id)) &&
    (params === undefined || (typeof params === 'object' && params !== null));
  if (!valid) return validId(id) && id !== null ? JSON.stringify(id) : 'null';
  // A valid notification is never answered, whatever it asks for.
  return id === undefined ? undefined : JSON.stringify(id);
}

/** How deeply arrays and objects nest, without recursion. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (typeof item !== 'object' || item === null) continue;
    deepest = Math.max(deepest, depth);
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}

const FRAME_LEVEL = [ERROR_CODES.PARSE_ERROR, ERROR_CODES.PAYLOAD_TOO_LARGE];

/** What the server must do with `text`, as the server receives it (valid UTF-8). */
export function expectationOf(text: string): Expectation {
  if (Buffer.byteLength(text) > FUZZ_LIMITS.maxPayload) return { kind: 'close', code: 1009 };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON. Limits are checked on the text before parsing, so a broken frame that
    // looks too deep or too long a batch may be refused for that instead.
    return { kind: 'frame-error', codes: FRAME_LEVEL, id: undefined };
  }
  if (depthOf(value) > FUZZ_LIMITS.maxDepth) {
    const id = isObject(value) && validId(value.id) ? JSON.stringify(value.id) : undefined;
    return { kind: 'frame-error', codes: [ERROR_CODES.PAYLOAD_TOO_LARGE], id };
  }
  if (Array.isArray(value)) {
    if (value.length === 0) {
      return { kind: 'frame-error', codes: [ERROR_CODES.INVALID_REQUEST], id: undefined };
    }
    if (value.length > FUZZ_LIMITS.maxBatchLength) {
      return { kind: 'frame-error', codes: [ERROR_CODES.PAYLOAD_TOO_LARGE], id: undefined };
    }
    const ids = value.map(replyId).filter((id): id is string => id !== undefined);
    return ids.length === 0 ? { kind: 'none' } : { kind: 'batch', ids };
  }
  const id = replyId(value);
  return id === undefined ? { kind: 'none' } : { kind: 'single', ids: [id] };
}

const NAME_OF = new Map<number, string>(Object.entries(ERROR_CODES).map(([n, c]) => [c, n]));

/** What is wrong with one response, or `undefined`. Any INTERNAL_ERROR is wrong here. */
export function responseProblem(message: unknown): string | undefined {
  if (!isObject(message)) return 'a response that is not an object';
  if (message.jsonrpc !== '2.0') return 'a response without jsonrpc "2.0"';
  if (!validId(message.id)) return `a response with id ${JSON.stringify(message.id)}`;
  const hasResult = 'result' in message;
  const hasError = 'error' in message;
  if (hasResult === hasError) return 'a response with both or neither of result and error';
  if (hasResult) return undefined;
  const error = message.error;
  if (!isObject(error) || !Number.isInteger(error.code) || typeof error.message !== 'string') {
    return 'a malformed error object';
  }
  const name = NAME_OF.get(error.code as number);
  if (name === undefined) return `an undocumented error code ${error.code}`;
  if (name === 'INTERNAL_ERROR') return 'an internal error';
  const data = error.data;
  if (!isObject(data) || data.code !== name) return `error ${error.code} with data.code ≠ ${name}`;
  const standard = (STANDARD_MESSAGES as Record<string, string>)[name];
  if (standard !== undefined && error.message !== standard) {
    return `error ${name} with message ${JSON.stringify(error.message)}`;
  }
  if (
    (name === 'PAYLOAD_TOO_LARGE' || name === 'TOO_MANY_REQUESTS') &&
    typeof data.limit !== 'string'
  ) {
    return `error ${name} without data.limit`;
  }
  if ((name === 'INVALID_PARAMS' || name === 'INVALID_REQUEST') && data.issues !== undefined) {
    return issuesProblem(data.issues);
  }
  return undefined;
}

/**
 * What is wrong with the issues of an -32602 or -32600, as PROTOCOL.md bounds them: at most
 * `maxIssues`, then one `{"path":[],"message":"… and N more issues"}`; messages of at most
 * 200 characters; paths of at most 16 keys (then "…"), each of at most 64 characters.
 */
function issuesProblem(issues: unknown): string | undefined {
  if (!Array.isArray(issues)) return 'issues that are not a list';
  if (issues.length > FUZZ_LIMITS.maxIssues + 1) return `${issues.length} issues`;
  for (const [index, issue] of issues.entries()) {
    if (!isObject(issue) || !Array.isArray(issue.path) || typeof issue.message !== 'string') {
      return 'a malformed issue';
    }
    if (issue.message.length > 200) return `an issue message of ${issue.message.length} characters`;
    if (issue.path.length > 17) return `an issue path of ${issue.path.length} keys`;
    if (issue.path.some((key) => typeof key === 'string' && key.length > 64)) {
      return 'an issue path key longer than 64 characters';
    }
    const last = index === FUZZ_LIMITS.maxIssues;
    if (last && (issue.path.length > 0 || !/^… and \d+ more issues?$/.test(issue.message))) {
      return `issue ${index + 1} is not a count of the rest: ${JSON.stringify(issue)}`;
    }
  }
  return undefined;
}

/** Whether a response acknowledges a subscription (and its events follow). */
export function isAck(message: Record<string, unknown>): boolean {
  const result = message.result;
  return (
    isObject(result) &&
    'subscription' in result &&
    result.subscription === message.id &&
    message.id !== null
  );
}
