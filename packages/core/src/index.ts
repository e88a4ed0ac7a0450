// @volley/core: the protocol, the router and procedure builder, and type inference.
// Nothing here does I/O, so server and client share it and tests need no socket.
//
// Two audiences, and nothing else:
// - applications: the builder, routers, errors, tracked events and the inference types;
// - people who write a Volley client in another JavaScript runtime, a pub/sub engine or
//   an event stream: the protocol's codes, message types and request encoding, and the
//   engine and stream contracts.

// ── For applications ──────────────────────────────────────────────────────────────────
export type {
  ClientCallOptions,
  ClientHandle,
  ClientHandleRecord,
  HandlerRouterCheck,
} from './client-handle.js';
export { toVolleyError, VolleyError, type VolleyErrorOptions } from './error.js';
export type {
  CodecName,
  inferProcedureInput,
  inferProcedureOutput,
  inferRouterInputs,
  inferRouterOutputs,
  Jsonify,
  Packify,
} from './inference.js';
export { initVolley, type Volley } from './init.js';
export type {
  AnyMiddleware,
  MiddlewareFunction,
  MiddlewareOptions,
  MiddlewareResult,
  NextFunction,
  Overwrite,
} from './middleware.js';
export type {
  AnyProcedure,
  Procedure,
  ProcedureBuilder,
  ProcedureDef,
  ProcedureType,
  ResolverOptions,
  SchemaTypes,
} from './procedure.js';
// ── For client, engine and stream authors: the wire protocol ─────────────────────────
export { encodeRequest, type TraceMembers } from './protocol/codec.js';
export {
  CLOSE_CODES,
  type CloseCodeName,
  ERROR_CODES,
  type ErrorCodeName,
  type ErrorCodeNumber,
  errorCodeName,
  STANDARD_MESSAGES,
} from './protocol/codes.js';
export {
  type AuthParams,
  type CancelParams,
  type CompleteParams,
  type ErrorData,
  type ErrorIssue,
  type ErrorObject,
  type ErrorResponse,
  type EventParams,
  type InitParams,
  type InitResult,
  METHODS,
  type Params,
  PROTOCOL_VERSION,
  RESERVED_PREFIX,
  type RequestId,
  type RequestMessage,
  type ResponseMessage,
  type ResumeParams,
  type SubscriptionAck,
  type SubscriptionErrorParams,
  type SuccessResponse,
} from './protocol/messages.js';
export {
  MSGPACK_VERDICT,
  type MsgpackId,
  type MsgpackScan,
  type MsgpackScanLimits,
  type MsgpackVerdict,
  msgpackRawIds,
  readMsgpackId,
  scanMsgpack,
} from './protocol/msgpack-scan.js';
export { inputFromParams, paramsFromInput } from './protocol/params.js';
export { checkRequest, isRequest, isResponse } from './protocol/validate.js';
// ── For engine and stream authors: the pub/sub and stream contracts ──────────────────
export type {
  Backlog,
  EngineObserver,
  PresenceChange,
  PresenceEngine,
  PresenceMember,
  PubSubEngine,
  TopicEvent,
  TopicListener,
  Unsubscribe,
} from './pubsub.js';
export {
  type AnyRouter,
  createRouter,
  type Router,
  type RouterContext,
  type RouterRecord,
} from './router.js';
export type {
  InferSchemaInput,
  InferSchemaOutput,
  StandardSchemaIssue,
  StandardSchemaResult,
  StandardSchemaV1,
} from './standard-schema.js';
export {
  PUSHABLE,
  type Pushable,
  type PushConsumer,
  type PushControl,
  RESUMABLE,
  type Resumable,
  type ResumeState,
} from './stream.js';
export { isTracked, type Tracked, tracked, type UntrackedData } from './tracked.js';
