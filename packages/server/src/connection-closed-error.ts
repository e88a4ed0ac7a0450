/**
 * Rejects a server-to-client call (`ctx.client.x.query(...)`) that was waiting for its
 * answer when the connection closed: the client dropped, or the server closed it
 * (`close()`, a limit, a heartbeat). The call is never sent again: the client may or may
 * not have run its handler.
 */
export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';
  /** The handler's dotted path, such as `confirm`. */
  readonly path: string;

  constructor(path: string) {
    super(`The connection closed before the client answered "${path}"`);
    this.path = path;
  }
}
