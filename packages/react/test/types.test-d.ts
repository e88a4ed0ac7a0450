// The helpers' types come from the router type alone, as the client's do.
import {
  QueryClient,
  skipToken,
  useMutation,
  useQuery,
  useSuspenseQuery,
} from '@tanstack/react-query';
import type { VolleyClient } from '@volley/client';
import type { inferRouterInputs, inferRouterOutputs } from '@volley/core';
import {
  createVolleyOptions,
  type SubscriptionStatus,
  useSubscription,
  type VolleyClientError,
  type VolleyQueryKey,
} from '@volley/react';
import { describe, expectTypeOf, it } from 'vitest';
import type { TestRouter } from './harness.js';

declare const client: VolleyClient<TestRouter>;
const volley = createVolleyOptions<TestRouter>(client);
type Inputs = inferRouterInputs<TestRouter>;
type Outputs = inferRouterOutputs<TestRouter>;

describe('queries', () => {
  it('types data as the output the client infers, and the error as the client errors', () => {
    const { data, error } = useQuery(volley.greet.queryOptions({ name: 'Ada' }));
    expectTypeOf(data).toEqualTypeOf<Outputs['greet'] | undefined>();
    expectTypeOf(data).toEqualTypeOf<{ text: string; at: string } | undefined>();
    expectTypeOf(error).toEqualTypeOf<VolleyClientError | null>();
    expectTypeOf(useSuspenseQuery(volley.greet.queryOptions({ name: 'Ada' })).data).toEqualTypeOf<
      Outputs['greet']
    >();
  });

  it('checks the input', () => {
    const input: Inputs['greet'] = { name: 'Ada' };
    volley.greet.queryOptions(input);
    // @ts-expect-error: name must be a string
    volley.greet.queryOptions({ name: 1 });
    // @ts-expect-error: the input is required
    volley.greet.queryOptions();
    volley.counter.get.queryOptions(); // no input: it may be left out
    useQuery(volley.greet.queryOptions(Math.random() > 0.5 ? skipToken : { name: 'Ada' }));
  });

  it('infers select, and tags the key for getQueryData', () => {
    const { data } = useQuery(
      volley.greet.queryOptions({ name: 'Ada' }, { select: (greeting) => greeting.text.length }),
    );
    expectTypeOf(data).toEqualTypeOf<number | undefined>();
    const queryClient = new QueryClient();
    expectTypeOf(queryClient.getQueryData(volley.greet.queryKey({ name: 'Ada' }))).toEqualTypeOf<
      Outputs['greet'] | undefined
    >();
    expectTypeOf(volley.counter.pathKey()).toEqualTypeOf<VolleyQueryKey>();
  });
});

describe('mutations', () => {
  it('types variables as the input and data as the output', () => {
    const mutation = useMutation(volley.counter.add.mutationOptions());
    expectTypeOf(mutation.mutate).parameter(0).toEqualTypeOf<Inputs['counter']['add']>();
    expectTypeOf(mutation.data).toEqualTypeOf<{ count: number } | undefined>();
    expectTypeOf(mutation.error).toEqualTypeOf<VolleyClientError | null>();
    // @ts-expect-error: `by` must be a number
    mutation.mutate({ by: '1' });
    useMutation(
      volley.counter.add.mutationOptions({
        onSuccess: (data, variables) => {
          expectTypeOf(data).toEqualTypeOf<{ count: number }>();
          expectTypeOf(variables).toEqualTypeOf<{ by: number }>();
        },
      }),
    );
  });
});

describe('subscriptions', () => {
  it('types data and onData as the events', () => {
    const result = useSubscription(
      volley.ticks.subscriptionOptions(
        { room: 'lobby' },
        { onData: (tick) => expectTypeOf(tick).toEqualTypeOf<string>() },
      ),
    );
    expectTypeOf(result.data).toEqualTypeOf<string | undefined>();
    expectTypeOf(result.error).toEqualTypeOf<VolleyClientError | null>();
    expectTypeOf(result.status).toEqualTypeOf<SubscriptionStatus>();
    expectTypeOf(result.recovered).toEqualTypeOf<boolean | undefined>();
    // @ts-expect-error: room must be a string
    volley.ticks.subscriptionOptions({ room: 1 });
  });
});

describe('each kind gets only its own helpers', () => {
  it('offers no queryOptions on a subscription or a mutation, and no subscriptionOptions on a query', () => {
    // @ts-expect-error: a subscription is not a query
    volley.ticks.queryOptions({ room: 'lobby' });
    // @ts-expect-error: a mutation is not a query
    volley.counter.add.queryOptions({ by: 1 });
    // @ts-expect-error: a query is not a mutation
    volley.greet.mutationOptions();
    // @ts-expect-error: a query is not a subscription
    volley.greet.subscriptionOptions({ name: 'Ada' });
    // @ts-expect-error: no such procedure
    volley.nope.queryOptions();
  });
});

describe('createVolleyOptions', () => {
  it('asks for the router type, and for a client of that router', () => {
    // @ts-expect-error: the router type cannot be read off the client: it must be given
    createVolleyOptions(client);
    type OtherRouter = TestRouter & { record: { other: TestRouter['record']['greet'] } };
    // @ts-expect-error: the client is not one of that router
    createVolleyOptions<OtherRouter>(client);
  });
});
