// The params of the protocol's own methods (rpc.resume, rpc.cancel, rpc.auth), checked.
// Pure: the connection decides what to do with them.
import type { ErrorIssue, Params, RequestMessage, ResumeParams } from '@volley/core';

/** A checked `rpc.resume`: the subscription to start again, and from where. */
export interface Resume {
  method: string;
  params: Params | undefined;
  lastEventId: string | undefined;
}

/**
 * Checks `rpc.resume`'s params: `{"method", "params"?, "lastEventId"?}`. Returns them,
 * or the issues to answer -32602 with.
 */
export function parseResume(params: RequestMessage['params']): Resume | ErrorIssue[] {
  if (params === undefined || Array.isArray(params)) {
    return [
      {
        path: ['params'],
        message: 'rpc.resume needs params {"method", "params"?, "lastEventId"?}',
      },
    ];
  }
  const resume = params as Partial<ResumeParams>;
  const issues: ErrorIssue[] = [];
  if (typeof resume.method !== 'string')
    issues.push({ path: ['params', 'method'], message: 'Must be a string' });
  if (
    resume.params !== undefined &&
    (typeof resume.params !== 'object' || resume.params === null)
  ) {
    issues.push({ path: ['params', 'params'], message: 'Must be an array or an object' });
  }
  if (resume.lastEventId !== undefined && typeof resume.lastEventId !== 'string') {
    issues.push({ path: ['params', 'lastEventId'], message: 'Must be a string' });
  }
  if (issues.length > 0) return issues;
  return {
    method: resume.method as string,
    params: resume.params as Params | undefined,
    lastEventId: resume.lastEventId,
  };
}

/** The issue of an `rpc.cancel` whose params do not name a request. */
export const CANCEL_NEEDS_ID: ErrorIssue[] = [
  { path: ['params', 'id'], message: 'rpc.cancel needs params {"id": <request id>}' },
];

/** The request `rpc.cancel` names (`{"id": 2}`), or `undefined` when it names none. */
export function cancelTarget(params: RequestMessage['params']): string | number | undefined {
  if (params === undefined || Array.isArray(params)) return undefined;
  const target = (params as { id?: unknown }).id;
  if (typeof target === 'string') return target;
  return typeof target === 'number' && Number.isFinite(target) ? target : undefined;
}

/** The `connectionParams` of `rpc.init` or `rpc.auth`; `undefined` when there are none. */
export function connectionParamsOf(params: RequestMessage['params']): unknown {
  return params === undefined || Array.isArray(params)
    ? undefined
    : (params as { connectionParams?: unknown }).connectionParams;
}

/**
 * The second reading of a call's params, tried when the first fails the input schema:
 * `[x]` as the array `[x]` itself, `[]` as an empty array. Generic JSON-RPC clients send
 * these for a procedure whose input is an array (`sum(5)`, `sum()`). `undefined` for any
 * other params, which have only one reading.
 */
export function secondReading(params: RequestMessage['params']): unknown[] | undefined {
  return Array.isArray(params) && params.length <= 1 ? params : undefined;
}
