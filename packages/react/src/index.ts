// @volley/react: React bindings for Volley on TanStack Query. Browser-safe.

export type {
  VolleyMutationKey,
  VolleyQueryKey,
  VolleyTaggedQueryKey,
} from './keys.js';
export { createVolleyOptions } from './options-proxy.js';
export type {
  ConnectionSource,
  MutationVariables,
  PathKeyed,
  SubscriptionCallbacks,
  VolleyClientError,
  VolleyMutationOptions,
  VolleyMutationOptionsIn,
  VolleyOptionsProxy,
  VolleyOptionsRecord,
  VolleyQueryOptions,
  VolleyQueryOptionsIn,
  VolleySkippableQueryOptions,
  VolleySubscriptionOptions,
  VolleySubscriptionOptionsIn,
} from './types.js';
export { useConnectionState } from './use-connection-state.js';
export {
  type SubscriptionResult,
  type SubscriptionStatus,
  useSubscription,
} from './use-subscription.js';
