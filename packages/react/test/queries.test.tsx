// @vitest-environment happy-dom
// Queries and mutations through TanStack Query against a real Volley server.
import { skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { VolleyError } from '@volley/client';
import { expect, it } from 'vitest';
import { forEachTest, settle, type Volley, within } from './harness.js';

let volley: Volley;
let api: Volley['api'];
forEachTest((started) => {
  volley = started;
  api = started.api;
});

function Greeting() {
  const { data } = useQuery(api.greet.queryOptions({ name: 'Ada' }));
  return <p>{data ? `${data.text} at ${data.at}` : 'loading'}</p>;
}

it('runs a query and renders its typed result (a Date arrives as a string)', async () => {
  render(<Greeting />, { wrapper: volley.wrapper });
  expect(await screen.findByText('Hello, Ada at 1970-01-01T00:00:00.000Z')).toBeTruthy();
  // The cache holds it under the key that queryKey() gives.
  expect(volley.queryClient.getQueryData(api.greet.queryKey({ name: 'Ada' }))).toEqual({
    text: 'Hello, Ada',
    at: '1970-01-01T00:00:00.000Z',
  });
});

function Failing({ onError }: { onError: (error: unknown) => void }) {
  const { error } = useQuery(api.greet.queryOptions({ name: '' }));
  if (error) onError(error);
  return <p>{error ? `failed: ${error.message}` : 'loading'}</p>;
}

it("fails a query with the client's VolleyError, code and issues included", async () => {
  let seen: unknown;
  render(<Failing onError={(error) => (seen = error)} />, { wrapper: volley.wrapper });
  await screen.findByText(/^failed:/);
  expect(seen).toBeInstanceOf(VolleyError);
  expect(seen).toMatchObject({ code: 'INVALID_PARAMS', issues: [{ path: ['name'] }] });
});

function Counter() {
  const queryClient = useQueryClient();
  // Never stale: only the invalidation can refetch it.
  const count = useQuery(api.counter.get.queryOptions(undefined, { staleTime: Infinity }));
  const add = useMutation(
    api.counter.add.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: api.counter.get.queryKey() }),
    }),
  );
  return (
    <>
      <p>count: {count.data ?? '…'}</p>
      <p>last: {add.data?.count ?? 'none'}</p>
      <button type="button" onClick={() => add.mutate({ by: 5 })}>
        add
      </button>
    </>
  );
}

it('runs a mutation, then invalidating the query by its key refetches it', async () => {
  render(<Counter />, { wrapper: volley.wrapper });
  await screen.findByText('count: 0');
  fireEvent.click(screen.getByText('add'));
  await screen.findByText('last: 5');
  await screen.findByText('count: 5');
  expect(volley.probe.count).toBe(5);
});

it('invalidates every query under a router with pathKey()', async () => {
  const queryClient = volley.queryClient;
  await queryClient.fetchQuery(api.counter.get.queryOptions());
  await queryClient.fetchQuery(api.greet.queryOptions({ name: 'Ada' }));
  await queryClient.invalidateQueries({ queryKey: api.counter.pathKey() });
  const stale = queryClient
    .getQueryCache()
    .findAll({ stale: true })
    .map((query) => query.queryKey);
  expect(stale).toContainEqual(api.counter.get.queryKey());
  expect(stale).not.toContainEqual(api.greet.queryKey({ name: 'Ada' }));
});

function Slow() {
  const { status } = useQuery(api.slow.queryOptions('x'));
  return <p>{status}</p>;
}

it("cancels a query on unmount: the server's signal aborts", async () => {
  const view = render(<Slow />, { wrapper: volley.wrapper });
  await settle(volley.probe.slowStarted.promise);
  view.unmount();
  // rpc.cancel reached the server, whose signal aborted while the connection stayed up.
  await within(volley.probe.slowAborted.promise, "the server's signal to abort");
  expect(volley.client.$state).toBe('open');
  expect(volley.queryClient.getQueryState(api.slow.queryKey('x'))?.status).toBe('pending');
});

function Maybe({ name }: { name: string | undefined }) {
  const { data, fetchStatus } = useQuery(
    api.greet.queryOptions(name === undefined ? skipToken : { name }),
  );
  return <p>{data ? data.text : `no data (${fetchStatus})`}</p>;
}

it('skips a query while its input is skipToken', async () => {
  const view = render(<Maybe name={undefined} />, { wrapper: volley.wrapper });
  await screen.findByText('no data (idle)');
  view.rerender(<Maybe name="Bob" />);
  await screen.findByText('Hello, Bob');
  await waitFor(() => expect(volley.queryClient.isFetching()).toBe(0));
});
