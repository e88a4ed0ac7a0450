import type { PresenceChange, PresenceEngine, PresenceMember, Unsubscribe } from '@volley/core';

interface Present {
  readonly member: PresenceMember;
  /** How many entries (subscriptions) this member has on the topic. */
  entries: number;
}

interface TopicPresence {
  readonly members: Map<string, Present>;
  readonly watchers: Set<(change: PresenceChange) => void>;
}

/**
 * Presence in one process (the in-memory engine's `presence`): entries are counted per
 * member id, joins and leaves go to this process's watchers at once. An entry lives as
 * long as the subscription that entered it; a connection that dies without a close frame
 * is found by the server's heartbeat, which ends its subscriptions, and so its entries.
 */
export function createMemoryPresence(): PresenceEngine {
  const topics = new Map<string, TopicPresence>();
  const stateOf = (topic: string): TopicPresence => {
    let state = topics.get(topic);
    if (state === undefined) {
      state = { members: new Map(), watchers: new Set() };
      topics.set(topic, state);
    }
    return state;
  };
  const forget = (topic: string, state: TopicPresence) => {
    if (state.members.size === 0 && state.watchers.size === 0) topics.delete(topic);
  };
  const tell = (state: TopicPresence, change: PresenceChange) => {
    // A copy: a watcher may stop (or another start) while it is told.
    for (const watcher of [...state.watchers]) watcher(change);
  };

  return {
    async enter(topic, member, maxMembers) {
      const state = stateOf(topic);
      let present = state.members.get(member.id);
      if (present === undefined) {
        if (state.members.size >= maxMembers) {
          forget(topic, state);
          return undefined;
        }
        present = { member: { id: member.id, data: member.data }, entries: 0 };
        state.members.set(member.id, present);
        tell(state, { type: 'join', member: present.member });
      }
      present.entries += 1;
      const entry = present;
      let left = false;
      const leave: Unsubscribe = () => {
        if (left) return;
        left = true;
        entry.entries -= 1;
        if (entry.entries > 0) return;
        state.members.delete(entry.member.id);
        tell(state, { type: 'leave', member: entry.member });
        forget(topic, state);
      };
      return leave;
    },
    async members(topic) {
      return [...(topics.get(topic)?.members.values() ?? [])].map((present) => present.member);
    },
    async watch(topic, listener) {
      const state = stateOf(topic);
      // Its own function per watch, so one listener watching twice is two watchers.
      const watcher = (change: PresenceChange) => listener(change);
      state.watchers.add(watcher);
      return () => {
        state.watchers.delete(watcher);
        forget(topic, state);
      };
    },
  };
}
