// The part of the discovery document that describes Volley's own protocol rather than the
// application's procedures: the `rpc.*` methods a client may call, the notifications the
// server sends (`x-volley-notifications`, since OpenRPC only describes what a client
// calls), the error codes, and the schemas of the protocol's own messages. It is the same
// for every server. PROTOCOL.md is the reference; this is its machine-readable summary.
import {
  ERROR_CODES,
  type ErrorCodeName,
  METHODS,
  PROTOCOL_VERSION,
  STANDARD_MESSAGES,
} from '@volley/core';
import type { JsonSchema } from './discovery-schemas.js';

/** The OpenRPC version of the document: the newest that OpenRPC's meta-schema package accepts. */
export const OPENRPC_VERSION = '1.3.2';

/** An OpenRPC Content Descriptor: a param, a result, or an event's data. */
export interface ContentDescriptor {
  name: string;
  summary?: string;
  description?: string;
  schema: JsonSchema;
  required?: boolean;
}

/** An OpenRPC Reference Object, such as `{"$ref":"#/components/errors/NOT_FOUND"}`. */
export interface Reference {
  $ref: string;
}

/** An OpenRPC Method Object, with Volley's `x-volley-*` extensions. */
export interface MethodObject {
  name: string;
  summary?: string;
  description?: string;
  tags?: Array<{ name: string }>;
  paramStructure: 'by-name' | 'by-position' | 'either';
  params: ContentDescriptor[];
  result?: ContentDescriptor;
  errors?: Reference[];
  /** A method that starts a subscription: its answer acknowledges, its events follow. */
  'x-volley-subscription'?: true;
  /** The `data` of each `rpc.event` of this subscription. */
  'x-volley-event'?: ContentDescriptor;
}

/** A notification the server sends, described like a method that a client never calls. */
export interface NotificationObject {
  name: string;
  summary: string;
  paramStructure: 'by-name';
  params: ContentDescriptor[];
}

const schemaRef = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** References to error components, in the order of `ERROR_CODES`. */
function errorRefs(...names: ErrorCodeName[]): Reference[] {
  return (Object.keys(ERROR_CODES) as ErrorCodeName[])
    .filter((name) => names.includes(name))
    .map((name) => ({ $ref: `#/components/errors/${name}` }));
}

/** What any message may be refused with, before it reaches its method. */
const ANY_MESSAGE: ErrorCodeName[] = ['INVALID_REQUEST', 'PAYLOAD_TOO_LARGE', 'TOO_MANY_REQUESTS'];

/**
 * What a procedure call may be answered with: what any message may, its input refused,
 * its cancellation, a failure, and every application code (a procedure may throw any).
 */
export const PROCEDURE_ERRORS: Reference[] = errorRefs(
  ...(Object.keys(ERROR_CODES) as ErrorCodeName[]).filter(
    (name) => name !== 'PARSE_ERROR' && name !== 'METHOD_NOT_FOUND',
  ),
);

/** The protocol's own schemas, in `components.schemas`. */
export const PROTOCOL_SCHEMAS: { [name: string]: JsonSchema } = {
  VolleySubscriptionId: {
    description: 'The id of the request that started the subscription.',
    type: ['string', 'number'],
  },
  VolleySubscriptionAck: {
    description: 'The answer that acknowledges a subscription; its events follow as rpc.event.',
    type: 'object',
    properties: {
      subscription: schemaRef('VolleySubscriptionId'),
      lastEventId: {
        type: 'string',
        description: 'Where a resumable subscription starts: resume from here with rpc.resume.',
      },
      recovered: {
        type: 'boolean',
        description: 'rpc.resume only: whether every event after lastEventId follows.',
      },
    },
    required: ['subscription'],
  },
  VolleyErrorObject: {
    type: 'object',
    properties: {
      code: { type: 'integer' },
      message: { type: 'string' },
      data: schemaRef('VolleyErrorData'),
    },
    required: ['code', 'message'],
  },
  VolleyErrorData: {
    type: 'object',
    properties: {
      code: { type: 'string', description: 'The error name, such as "NOT_FOUND".' },
      issues: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            path: { type: 'array', items: { type: ['string', 'number'] } },
            message: { type: 'string' },
          },
          required: ['path', 'message'],
        },
      },
      details: { description: 'Application data attached to the error.' },
      limit: { type: 'string', description: 'The server option whose limit refused the message.' },
      stack: { type: 'string' },
    },
    required: ['code'],
  },
  VolleyInitResult: {
    type: 'object',
    properties: {
      connectionId: { type: 'string' },
      protocol: { type: 'integer', const: PROTOCOL_VERSION },
    },
    required: ['connectionId', 'protocol'],
  },
};

/** `NOT_FOUND` → `Not found`: the message of a code whose message the application sets. */
function sentence(name: string): string {
  const words = name.toLowerCase().replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Every error code, in `components.errors`, by name. */
export const ERROR_COMPONENTS: {
  [name: string]: { code: number; message: string; data: { code: string } };
} = Object.fromEntries(
  (Object.keys(ERROR_CODES) as ErrorCodeName[]).map((name) => [
    name,
    {
      code: ERROR_CODES[name],
      message: (STANDARD_MESSAGES as Partial<Record<string, string>>)[name] ?? sentence(name),
      data: { code: name },
    },
  ]),
);

const connectionParams: ContentDescriptor = {
  name: 'connectionParams',
  description:
    'Whatever the application authenticates with, such as {"token": "..."}: the server builds the connection context from it.',
  schema: {},
};

/** The `rpc.*` methods a client may call. */
export const PROTOCOL_METHODS: MethodObject[] = [
  {
    name: METHODS.INIT,
    summary: 'Opens the connection with connection params: the first message only, and optional.',
    description:
      'Its answer means the connection is accepted. A refused connection is closed with 4401 or 4403 instead; rpc.init anywhere but first is -32600.',
    paramStructure: 'by-name',
    params: [connectionParams],
    result: { name: 'accepted', schema: schemaRef('VolleyInitResult') },
    errors: errorRefs(...ANY_MESSAGE),
  },
  {
    name: METHODS.PING,
    summary: 'A heartbeat, answered with "pong" at once.',
    paramStructure: 'either',
    params: [],
    result: { name: 'pong', schema: { const: 'pong' } },
    errors: errorRefs(...ANY_MESSAGE),
  },
  {
    name: METHODS.AUTH,
    summary: 'Replaces the connection params (a refreshed token) for the calls that follow.',
    description:
      'Calls already running keep the context they started with. A refusal leaves the connection as it was.',
    paramStructure: 'by-name',
    params: [connectionParams],
    result: { name: 'accepted', schema: { const: true } },
    errors: errorRefs(...ANY_MESSAGE, 'UNAUTHORIZED', 'FORBIDDEN', 'INTERNAL_ERROR'),
  },
  {
    name: METHODS.CANCEL,
    summary: 'Stops the call or subscription that request `id` started. Usually a notification.',
    description:
      'A running call is answered with -32099 CANCELLED; a live subscription ends with rpc.complete. Asked with an id, it answers whether something was running under that id.',
    paramStructure: 'by-name',
    params: [{ name: 'id', required: true, schema: schemaRef('VolleySubscriptionId') }],
    result: { name: 'wasRunning', schema: { type: 'boolean' } },
    errors: errorRefs(...ANY_MESSAGE, 'INVALID_PARAMS'),
  },
  {
    name: METHODS.RESUME,
    summary: 'Starts a subscription again after a lost connection, replaying what was missed.',
    description:
      'The answer acknowledges like a subscription request, with `recovered` saying whether every event after lastEventId follows. Its events are those of the subscription named by `method`.',
    paramStructure: 'by-name',
    params: [
      {
        name: 'method',
        required: true,
        description: 'A subscription method.',
        schema: { type: 'string' },
      },
      {
        name: 'params',
        description: "The subscription's params, exactly as in its first request.",
        schema: { type: ['array', 'object'] },
      },
      {
        name: 'lastEventId',
        description: "The last event id received, or the acknowledgement's lastEventId.",
        schema: { type: 'string' },
      },
    ],
    result: { name: 'subscription', schema: schemaRef('VolleySubscriptionAck') },
    errors: errorRefs(
      ...(Object.keys(ERROR_CODES) as ErrorCodeName[]).filter((name) => name !== 'PARSE_ERROR'),
    ),
    'x-volley-subscription': true,
  },
  {
    name: METHODS.DISCOVER,
    summary: 'Returns this OpenRPC document.',
    paramStructure: 'either',
    params: [],
    result: {
      name: 'OpenRPC Schema',
      schema: { $ref: 'https://raw.githubusercontent.com/open-rpc/meta-schema/master/schema.json' },
    },
    errors: errorRefs(...ANY_MESSAGE, 'INTERNAL_ERROR'),
  },
];

const subscription: ContentDescriptor = {
  name: 'subscription',
  required: true,
  schema: schemaRef('VolleySubscriptionId'),
};

/** What the server sends unasked: the `x-volley-notifications` extension. */
export const NOTIFICATIONS: NotificationObject[] = [
  {
    name: METHODS.EVENT,
    summary: "One event of a subscription; `data` follows its method's x-volley-event schema.",
    paramStructure: 'by-name',
    params: [
      subscription,
      { name: 'data', required: true, schema: {} },
      {
        name: 'eventId',
        description: 'Present on a tracked event: where to resume after it.',
        schema: { type: 'string' },
      },
    ],
  },
  {
    name: METHODS.COMPLETE,
    summary: 'A subscription ended normally, or after rpc.cancel. Nothing follows for it.',
    paramStructure: 'by-name',
    params: [subscription],
  },
  {
    name: METHODS.ERROR,
    summary: 'A subscription failed and is over.',
    paramStructure: 'by-name',
    params: [
      subscription,
      { name: 'error', required: true, schema: schemaRef('VolleyErrorObject') },
    ],
  },
];
