import { VolleyError, type VolleyErrorOptions } from '@volley/core';

/**
 * Ends a subscription by closing its whole connection with `closeCode`, instead of sending
 * `rpc.error`: what a pub/sub topic stream throws when its subscriber fell too far behind
 * (`overflow: 'close'`, 4429) or when its engine lost events (1012, so that the client
 * reconnects and resumes, and is told `recovered: false`). The subscription step is the one
 * place that reads it.
 */
export class CloseConnectionError extends VolleyError {
  /** The WebSocket close code to close the connection with. */
  readonly closeCode: number;

  constructor(closeCode: number, options: VolleyErrorOptions) {
    super(options);
    this.closeCode = closeCode;
  }
}
