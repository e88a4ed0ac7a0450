import type { ErrorIssue, RequestMessage, ResponseMessage } from './messages.js';

// Hand-written checks for the hot path. `test/validate.property.test.ts` proves with
// fast-check that each accepts exactly what its zod schema in `schema.ts` accepts.
// Each returns `undefined` when the value is valid, so a valid message allocates nothing.

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): boolean {
  return (
    typeof value === 'string' ||
    value === null ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

/**
 * Checks that a parsed JSON value is a JSON-RPC 2.0 request or notification.
 * Returns the problems found, or `undefined` when it is valid.
 */
export function checkRequest(value: unknown): ErrorIssue[] | undefined {
  if (!isObject(value)) return [{ path: [], message: 'A request must be a JSON object' }];
  const params = value.params;
  if (
    value.jsonrpc === '2.0' &&
    typeof value.method === 'string' &&
    (value.id === undefined || isId(value.id)) &&
    (params === undefined || (typeof params === 'object' && params !== null))
  ) {
    return undefined;
  }
  // Invalid: the slow path, which names every problem.
  const issues: ErrorIssue[] = [];
  if (value.jsonrpc !== '2.0') issues.push({ path: ['jsonrpc'], message: 'Must be exactly "2.0"' });
  if (typeof value.method !== 'string')
    issues.push({ path: ['method'], message: 'Must be a string' });
  if (value.id !== undefined && !isId(value.id)) {
    issues.push({ path: ['id'], message: 'Must be a string, a number or null' });
  }
  if (params !== undefined && (typeof params !== 'object' || params === null)) {
    issues.push({
      path: ['params'],
      message: 'Must be an array (by position) or an object (by name)',
    });
  }
  return issues;
}

/** Whether a parsed JSON value is a valid request or notification. */
export function isRequest(value: unknown): value is RequestMessage {
  return checkRequest(value) === undefined;
}

function isErrorObject(value: unknown): boolean {
  return (
    isObject(value) &&
    typeof value.code === 'number' &&
    Number.isInteger(value.code) &&
    typeof value.message === 'string'
  );
}

/**
 * Whether a parsed JSON value is a JSON-RPC 2.0 response: `jsonrpc: "2.0"`, an id,
 * and exactly one of `result` and a well-formed `error`.
 */
export function isResponse(value: unknown): value is ResponseMessage {
  if (!isObject(value) || value.jsonrpc !== '2.0' || !isId(value.id)) return false;
  const hasResult = value.result !== undefined;
  const hasError = value.error !== undefined;
  return hasResult ? !hasError : hasError && isErrorObject(value.error);
}
