// Presence, as the inspector sees it: a function the user gives that says who is in a topic.
// It plugs in whatever presence API the application has (`@volley/server`'s presence, a
// Redis set, a database). The inspector asks it for the busiest topics at each snapshot,
// with a deadline, and shows a bounded list of labels.
import type { PresenceSnapshot } from './snapshot.js';

/**
 * Who is present in `topic`: any iterable of members (or a promise of one). A member is
 * shown as itself if it is a string or a number, as its `id` (with `data.name` when it is a
 * string) or else its `name` if it has a string one, and otherwise as its JSON; each label
 * is cut at {@link MAX_LABEL_LENGTH}.
 * It may throw or reject: the page then says why for that topic.
 */
export type PresenceSource = (topic: string) => Iterable<unknown> | Promise<Iterable<unknown>>;

/**
 * Something with a `presence(topic)` method, such as a `createPubSub()` whose engine has
 * presence: its members (`{ id, data }`) show as their `id`, with `data.name` beside it
 * when there is one.
 */
export interface PresenceProvider {
  /** Who is present in `topic`. */
  presence(topic: string): Iterable<unknown> | Promise<Iterable<unknown>>;
}

/** Default `maxPresenceTopics`: the busiest topics whose presence each snapshot asks for. */
export const DEFAULT_MAX_PRESENCE_TOPICS = 20;
/** Default `maxPresenceMembers`: members named per topic (all are counted). */
export const DEFAULT_MAX_PRESENCE_MEMBERS = 50;
/** How long one presence call may take before the topic shows "timed out". */
export const PRESENCE_TIMEOUT_MS = 2_000;
/** Longest member label, in characters. */
export const MAX_LABEL_LENGTH = 80;

/** A member as the page shows it. */
function labelOf(member: unknown): string {
  let label: string;
  if (typeof member === 'string') label = member;
  else if (typeof member === 'number' || typeof member === 'bigint') label = String(member);
  else if (member !== null && typeof member === 'object') {
    const { id, name, data } = member as { id?: unknown; name?: unknown; data?: unknown };
    const shown = (data as { name?: unknown } | null | undefined)?.name;
    if (typeof id === 'string' && typeof shown === 'string') label = `${shown} (${id})`;
    else if (typeof id === 'string') label = id;
    else if (typeof name === 'string') label = name;
    else label = safeJson(member);
  } else label = String(member);
  return label.length > MAX_LABEL_LENGTH ? `${label.slice(0, MAX_LABEL_LENGTH - 1)}…` : label;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return '[unprintable]';
  }
}

/** Rejects after PRESENCE_TIMEOUT_MS, leaving no timer once `promise` settles. */
async function withDeadline<T>(promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), PRESENCE_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asks `source` who is in `topic`, and bounds the answer to `maxMembers` labels. */
export async function presenceOf(
  source: PresenceSource | PresenceProvider,
  topic: string,
  maxMembers: number,
): Promise<PresenceSnapshot> {
  try {
    const ask = () => (typeof source === 'function' ? source(topic) : source.presence(topic));
    const members = await withDeadline(Promise.resolve().then(ask));
    const labels: string[] = [];
    let count = 0;
    for (const member of members) {
      if (labels.length < maxMembers) labels.push(labelOf(member));
      count++;
    }
    return { count, members: labels };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { count: 0, members: [], error: message.slice(0, MAX_LABEL_LENGTH) };
  }
}
