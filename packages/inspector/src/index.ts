// @volley/inspector: a live page that shows what a Volley server is doing, opt-in and behind
// an authorisation function, updated over Volley itself.

export {
  type Aggregator,
  type AggregatorOptions,
  createAggregator,
  DEFAULT_MAX_ORIGINS,
  DEFAULT_MAX_PROCEDURES,
  DEFAULT_MAX_SLOW_CONSUMERS,
  DEFAULT_MAX_TOPICS,
  DEFAULT_WINDOW_MS,
  MAX_CLOSE_CODES,
  type ServerCounts,
} from './aggregator.js';
export {
  type Authorize,
  createInspector,
  DEFAULT_INSPECTOR_PATH,
  DEFAULT_MAX_INSPECTOR_CONNECTIONS,
  INSPECTOR_MAX_PAYLOAD,
  type Inspector,
  type InspectorOptions,
  type WatchableEngine,
} from './inspector.js';
export type { Percentiles } from './latency-histogram.js';
export { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from './page-assets.js';
export {
  DEFAULT_MAX_PRESENCE_MEMBERS,
  DEFAULT_MAX_PRESENCE_TOPICS,
  MAX_LABEL_LENGTH,
  PRESENCE_TIMEOUT_MS,
  type PresenceProvider,
  type PresenceSource,
} from './presence.js';
export {
  CHANGE_DELAY_MS,
  createInspectorRouter,
  DEFAULT_INTERVAL_MS,
  type InspectorRouter,
  type SnapshotSource,
} from './router.js';
export type {
  CloseRow,
  ConnectionsSnapshot,
  InspectorSnapshot,
  LimitRow,
  OriginRow,
  PresenceSnapshot,
  ProcedureRow,
  Rate,
  RefusalRow,
  SlowConsumerRow,
  SubscriptionPathRow,
  SubscriptionsSnapshot,
  TopicRow,
  WindowedTotal,
} from './snapshot.js';
