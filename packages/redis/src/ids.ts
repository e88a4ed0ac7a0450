// Names in Redis and event ids. Every key of a topic carries the topic in a hash tag
// (`{topic}`), so a topic's keys share a Redis Cluster slot and one script may touch them
// all.
import { randomBytes } from 'node:crypto';

/** The Redis names of one topic. */
export interface TopicKeys {
  /** Hash: `epoch` (the log's incarnation) and `seq` (the newest event's number). */
  readonly meta: string;
  /** Stream: the log, entry ids `0-<seq>`, one field `d` holding the event's JSON. */
  readonly log: string;
  /** Pub/sub channel: `<epoch> <seq> <json>` per event. */
  readonly channel: string;
}

export function topicKeys(prefix: string, topic: string): TopicKeys {
  const base = `${prefix}{${topic}}`;
  return { meta: `${base}:meta`, log: `${base}:log`, channel: base };
}

/** A fresh epoch, offered to Redis in case the topic has none: 12 URL-safe characters. */
export function newEpoch(): string {
  return randomBytes(9).toString('base64url');
}

/** An event id: `<epoch>:<seq>`. */
export function formatId(epoch: string, seq: number): string {
  return `${epoch}:${seq}`;
}

/** A position in a topic's log. */
export interface Position {
  readonly epoch: string;
  readonly seq: number;
}

const ID = /^([A-Za-z0-9_-]{1,64}):(0|[1-9][0-9]{0,15})$/;

/** The epoch and sequence number of an id of this engine, or `undefined` for anything else. */
export function parseId(id: string): Position | undefined {
  const match = ID.exec(id);
  if (match === null) return undefined;
  const seq = Number(match[2]);
  return Number.isSafeInteger(seq) ? { epoch: match[1] as string, seq } : undefined;
}

/** One event as the channel carries it. */
export interface WireEvent extends Position {
  /** The event's data, as JSON text. */
  readonly json: string;
}

/** Reads a channel message (`<epoch> <seq> <json>`); `undefined` if the engine did not write it. */
export function parseMessage(message: string): WireEvent | undefined {
  const first = message.indexOf(' ');
  const second = first === -1 ? -1 : message.indexOf(' ', first + 1);
  if (second === -1) return undefined;
  const position = parseId(`${message.slice(0, first)}:${message.slice(first + 1, second)}`);
  return position && { ...position, json: message.slice(second + 1) };
}
