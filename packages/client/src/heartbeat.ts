import { later } from './timers.js';

/** A watch on one open socket's silence, as {@link watchSilence} gives it. */
export interface Heartbeat {
  /** A frame arrived: the silence starts over. */
  heard(): void;
  /** The socket is gone: stop watching. */
  stop(): void;
}

/**
 * Watches a socket for silence with one timer and the time of the last frame (so a frame
 * costs a clock read, not a timer): `ping` runs once the socket has been silent for
 * `intervalMs`, and `dead` once it stays silent for another interval after that. A dead
 * connection is thus found two intervals after its last frame, never three. Only
 * incoming frames count: sending does not prove the peer is there.
 */
export function watchSilence(intervalMs: number, ping: () => void, dead: () => void): Heartbeat {
  let last = performance.now();
  let timer: ReturnType<typeof setTimeout>;
  const check = () => {
    // +1: a timer may fire up to a millisecond before the clock reads its deadline.
    const silent = performance.now() + 1 - last;
    if (silent >= 2 * intervalMs) return dead();
    // Silent for an interval: ping, and check again at the end of the next one. Otherwise
    // a frame came since: check again an interval after it.
    const pinging = silent >= intervalMs;
    if (pinging) ping();
    timer = later(check, (pinging ? 2 : 1) * intervalMs - silent + 1);
  };
  timer = later(check, intervalMs);
  return {
    heard() {
      last = performance.now();
    },
    stop() {
      clearTimeout(timer);
    },
  };
}
