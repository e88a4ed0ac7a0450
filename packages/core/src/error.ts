import {
  ERROR_CODES,
  type ErrorCodeName,
  errorCodeName,
  STANDARD_MESSAGES,
} from './protocol/codes.js';
import type { ErrorData, ErrorIssue, ErrorObject } from './protocol/messages.js';

/** What `new VolleyError(...)` takes. */
export interface VolleyErrorOptions {
  /** The error's name, which sets its JSON-RPC number. */
  code: ErrorCodeName;
  /** Sent to the client. Defaults to the code's standard text or the code itself. */
  message?: string | undefined;
  /** Application data, sent to the client as `error.data.details`. Must be JSON. */
  data?: unknown;
  /** The underlying error. Never sent to the client. */
  cause?: unknown;
  /** Validation issues, sent as `error.data.issues`. */
  issues?: ErrorIssue[] | undefined;
  /** The server limit that refused the call, such as `'maxInFlight'`; sent as `error.data.limit`. */
  limit?: string | undefined;
}

/**
 * The one error class of Volley procedures. Throw it from a resolver or middleware
 * to send a typed error; the client receives an equal `VolleyError`.
 *
 * @example throw new VolleyError({ code: 'NOT_FOUND', message: 'No such room' })
 */
export class VolleyError extends Error {
  override readonly name = 'VolleyError';
  // `declare`d members are set by the constructor alone, which keeps the class small in a
  // browser bundle.
  /** The error's name, such as `'NOT_FOUND'`. A newer server may send names this build does not know. */
  declare readonly code: ErrorCodeName | (string & {});
  /** Application data (`error.data.details` on the wire). */
  declare readonly data: unknown;
  /** Validation issues, for `INVALID_PARAMS` and `INVALID_REQUEST`. */
  declare readonly issues: ErrorIssue[] | undefined;
  /**
   * When a server limit refused the call: the name of its option, such as
   * `'rateLimit'` or `'maxInFlight'` (see SECURITY.md).
   */
  declare readonly limit: string | undefined;
  /** The JSON-RPC number sent on the wire. */
  declare readonly rpcCode: number;

  constructor(options: VolleyErrorOptions) {
    super(
      options.message ??
        (STANDARD_MESSAGES as Record<string, string | undefined>)[options.code] ??
        options.code,
      { cause: options.cause },
    );
    this.code = options.code;
    this.data = options.data;
    this.issues = options.issues;
    this.limit = options.limit;
    this.rpcCode = ERROR_CODES[options.code];
  }

  /**
   * Rebuilds an error from a wire `error` object, as the client does. A code name is
   * taken from `data.code` when present, else from the number.
   */
  static fromErrorObject(error: ErrorObject): VolleyError {
    // Object() gives a JSON value's members; a primitive or null has none of these.
    const data = Object(error.data) as Partial<ErrorData>;
    const result = new VolleyError({
      code: 'INTERNAL_ERROR',
      message: error.message,
      data: data.details,
      issues: Array.isArray(data.issues) ? data.issues : undefined,
      limit: typeof data.limit === 'string' ? data.limit : undefined,
    });
    // The server's name and number, kept even when this build does not know them.
    return Object.assign(result, {
      code:
        typeof data.code === 'string' ? data.code : (errorCodeName(error.code) ?? 'INTERNAL_ERROR'),
      rpcCode: error.code,
    });
  }
}

/**
 * Normalises anything thrown into a `VolleyError`. A `VolleyError` is returned as is;
 * anything else becomes `INTERNAL_ERROR` with the original as `cause`, so that its
 * message never reaches a client by accident.
 */
export function toVolleyError(cause: unknown): VolleyError {
  if (cause instanceof VolleyError) return cause;
  return new VolleyError({ code: 'INTERNAL_ERROR', cause });
}
