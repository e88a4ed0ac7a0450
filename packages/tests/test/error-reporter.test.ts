// Unexpected errors are never silent and never leak: with no `onError`, the server writes
// them to stderr (`reportToStderr`) while the client gets a generic -32603; `onError: false`
// writes nothing; a user's `onError` replaces the default. The server runs in a child
// process so that its stderr is read as a user would see it.
import { afterEach, describe, expect, it } from 'vitest';
import { type FixtureProcess, startFixture } from './helpers/fixture-process.js';
import { openRaw } from './helpers/harness.js';

let server: FixtureProcess | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const INTERNAL = {
  jsonrpc: '2.0',
  id: 1,
  error: { code: -32603, message: 'Internal error', data: { code: 'INTERNAL_ERROR' } },
};

/** Starts the fixture with `mode`, calls `boom` and `missing`, and returns what it wrote once it has exited. */
async function callBoth(mode: string | undefined) {
  const started = await startFixture('error-server.ts', {
    env: mode === undefined ? {} : { VOLLEY_ON_ERROR: mode },
  });
  server = started;
  const peer = await openRaw(started.url);
  // The client learns nothing of the error: no message, no stack.
  expect(await peer.request({ jsonrpc: '2.0', id: 1, method: 'boom' })).toEqual(INTERNAL);
  expect(await peer.request({ jsonrpc: '2.0', id: 2, method: 'missing' })).toMatchObject({
    error: { code: -32004, message: 'No such thing' },
  });
  await peer.close();
  // Everything it wrote is in once it has exited.
  await started.stop();
  return { stdout: started.stdout, stderr: started.stderr };
}

describe('an unexpected error in a procedure', () => {
  it('is written to stderr by default, with its path and stack, and expected errors are not', async () => {
    const { stderr } = await callBoth(undefined);
    expect(stderr).toMatch(
      /^\[volley\] Unexpected error in "boom" \(connection [\w-]{21}\): Error: the database password is hunter2\n\s+at /,
    );
    expect(stderr).not.toContain('No such thing');
    expect(stderr.match(/\[volley\]/g)).toHaveLength(1);
  });

  it('is written nowhere with onError: false', async () => {
    const { stdout, stderr } = await callBoth('false');
    expect(stderr).toBe('');
    expect(stdout).toBe('');
  });

  it('goes to a user onError instead of stderr, expected errors too, with the client address', async () => {
    const { stdout, stderr } = await callBoth('custom');
    expect(stderr).toBe('');
    expect(stdout).toBe(
      'custom onError: INTERNAL_ERROR in boom from 127.0.0.1: the database password is hunter2\n' +
        'custom onError: NOT_FOUND in missing from 127.0.0.1: No such thing\n',
    );
  });
});
