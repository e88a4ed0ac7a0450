// A port on 127.0.0.1 with nothing listening: a connection to it is refused at once, as
// when the server is down.
import { type AddressInfo, createServer } from 'node:net';

/** A port that was free a moment ago: bound on 127.0.0.1, port 0, then released. */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
