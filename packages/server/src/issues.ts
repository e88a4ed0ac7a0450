// Validation issues as they go on the wire: bounded whatever the input. A schema can report
// an issue per element of a hostile array (half a million for a 1 MiB frame), and some
// messages quote what they were given; the reply must stay small and must not echo input.
import type { ErrorIssue, StandardSchemaIssue } from '@volley/core';

/**
 * Most validation issues one error carries: 20. When there are more, a last issue says
 * how many were left out (`{"path":[],"message":"… and 499980 more issues"}`), so a
 * reply to a hostile input stays small. A server option (`maxIssues`).
 */
export const DEFAULT_MAX_ISSUES = 20;

/** Longest issue message sent, in characters: 200. A longer one is cut and ends with "…". */
export const MAX_ISSUE_MESSAGE_LENGTH = 200;

/** Most keys of an issue's path sent: 16, the innermost dropped first and marked "…". */
export const MAX_ISSUE_PATH_LENGTH = 16;

/**
 * Longest key sent, in an issue's path or an unknown-key message, in characters: 64.
 * Keys come from the input, so a longer one is cut and ends with "…".
 */
export const MAX_ISSUE_KEY_LENGTH = 64;

function clip(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

function pathOf(issue: StandardSchemaIssue): Array<string | number> {
  const path: Array<string | number> = [];
  for (const segment of issue.path ?? []) {
    if (path.length === MAX_ISSUE_PATH_LENGTH) {
      path.push('…');
      break;
    }
    const key = typeof segment === 'object' ? segment.key : segment;
    path.push(typeof key === 'number' ? key : clip(String(key), MAX_ISSUE_KEY_LENGTH));
  }
  return path;
}

function messageOf(issue: StandardSchemaIssue): string {
  // zod's unknown-key issue lists the keys the client sent in its message, unbounded:
  // rebuild it from the keys, each one cut, and at most five of them.
  const keys = (issue as { code?: unknown; keys?: unknown }).keys;
  if ((issue as { code?: unknown }).code === 'unrecognized_keys' && Array.isArray(keys)) {
    const shown = keys
      .slice(0, 5)
      .map((key) => JSON.stringify(clip(String(key), MAX_ISSUE_KEY_LENGTH)));
    const more = keys.length > 5 ? ` and ${keys.length - 5} more` : '';
    return clip(
      `Unrecognized key${keys.length === 1 ? '' : 's'}: ${shown.join(', ')}${more}`,
      MAX_ISSUE_MESSAGE_LENGTH,
    );
  }
  return clip(String(issue.message), MAX_ISSUE_MESSAGE_LENGTH);
}

/**
 * Bytes of a batch's frame that buy one more issue in its answers: 100. `maxIssues` bounds
 * each answer, but a batch of many small failing members would still be answered with up
 * to `maxIssues` issues each, some 16 reply bytes per request byte. So a batch's answers
 * together show at most the issues of {@link BATCH_FULL_ANSWERS} members (`maxIssues` each)
 * plus one per 100 bytes of the batch, in order; later members' errors carry only the count
 * of what was left out.
 */
export const BATCH_BYTES_PER_ISSUE = 100;

/** Members of a batch whose errors may show `maxIssues` issues whatever the batch's size: 32. */
export const BATCH_FULL_ANSWERS = 32;

/** The issues a batch's answers may still show (see {@link BATCH_BYTES_PER_ISSUE}). */
export class IssueBudget {
  #left: number;

  constructor(frameLength: number, maxIssues: number) {
    this.#left = maxIssues * BATCH_FULL_ANSWERS + Math.floor(frameLength / BATCH_BYTES_PER_ISSUE);
  }

  /** Takes up to `wanted` issues from the budget; gives how many it may show. */
  take(wanted: number): number {
    const granted = Math.min(wanted, this.#left);
    this.#left -= granted;
    return granted;
  }
}

/**
 * The issues of a failed validation (or of a protocol check) as they are sent: at most
 * `max` of them (and, in a batch, what its `budget` has left), then one that counts the
 * rest; each message and path bounded (see the constants above).
 */
export function boundIssues(
  issues: ReadonlyArray<StandardSchemaIssue>,
  max: number,
  budget?: IssueBudget,
): ErrorIssue[] {
  const bounded: ErrorIssue[] = [];
  const wanted = Math.min(issues.length, max);
  const shown = budget === undefined ? wanted : budget.take(wanted);
  for (let index = 0; index < shown; index++) {
    const issue = issues[index] as StandardSchemaIssue;
    bounded.push({ path: pathOf(issue), message: messageOf(issue) });
  }
  if (issues.length > shown) {
    const left = issues.length - shown;
    bounded.push({ path: [], message: `… and ${left} more issue${left === 1 ? '' : 's'}` });
  }
  return bounded;
}
