import type { Duplex } from 'node:stream';

// Write coalescing. The first frame a stream is sent in a tick goes out at once; from
// the second on, the stream is corked, and every corked stream is uncorked together when
// the tick's work (microtasks included) is done. So answers to pipelined requests that
// are ready in the same tick leave in one write, and a lone answer is never held back.

/** Counts ticks in which something was sent, so a writer knows whether it sent in this one. */
let tick = 0;
let flushScheduled = false;
let corked: Duplex[] = [];

function endTick(): void {
  flushScheduled = false;
  tick++;
  const streams = corked;
  corked = [];
  for (const stream of streams) stream.uncork();
}

/** What a writer keeps for coalescing: the last tick it wrote in, and whether it corked then. */
export interface CoalescingState {
  writeTick: number;
  writeCorked: boolean;
}

/** Call before each write to `stream`: corks it from its second write in a tick. */
export function coalesceWrite(state: CoalescingState, stream: Duplex): void {
  if (state.writeTick !== tick) {
    state.writeTick = tick;
    state.writeCorked = false;
    if (!flushScheduled) {
      flushScheduled = true;
      process.nextTick(endTick);
    }
  } else if (!state.writeCorked) {
    state.writeCorked = true;
    stream.cork();
    corked.push(stream);
  }
}
