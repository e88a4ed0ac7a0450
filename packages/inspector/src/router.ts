// The inspector's own Volley router: the page subscribes to `snapshot` with @volley/client,
// so the inspector updates through Volley itself. One subscription sends a snapshot at once,
// then one every `intervalMs`, or sooner (after CHANGE_DELAY_MS) when a connection or a
// subscription of the observed server opens or closes.
import { initVolley } from '@volley/core';
import type { InspectorSnapshot } from './snapshot.js';

/** Default `intervalMs`: a snapshot every second. */
export const DEFAULT_INTERVAL_MS = 1000;
/** After a connection or subscription change, how long to wait for more before sending. */
export const CHANGE_DELAY_MS = 100;

/** Where the router's snapshots come from. */
export interface SnapshotSource {
  /** The current snapshot. */
  snapshot(): Promise<InspectorSnapshot>;
  /** Calls `listener` on a change worth sending early; returns a function that stops it. */
  onChange(listener: () => void): () => void;
}

/**
 * Waits until the next snapshot is due: `intervalMs`, or CHANGE_DELAY_MS after a change,
 * whichever is first. Resolves at once, and leaves no timer, when `signal` aborts.
 */
function nextDue(source: SnapshotSource, intervalMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let due = Date.now() + intervalMs;
    let timer = setTimeout(done, intervalMs);
    const stopListening = source.onChange(() => {
      if (Date.now() + CHANGE_DELAY_MS >= due) return;
      due = Date.now() + CHANGE_DELAY_MS;
      clearTimeout(timer);
      timer = setTimeout(done, CHANGE_DELAY_MS);
    });
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      stopListening();
      signal.removeEventListener('abort', done);
      resolve();
    }
    if (signal.aborted) done();
  });
}

/** Makes the inspector's router over `source`. */
export function createInspectorRouter(source: SnapshotSource, intervalMs = DEFAULT_INTERVAL_MS) {
  const v = initVolley();
  return v.router({
    /** The observed server's state: now, then on every change and at least every `intervalMs`. */
    snapshot: v.procedure.subscription(async function* ({ signal }) {
      while (!signal.aborted) {
        yield await source.snapshot();
        await nextDue(source, intervalMs, signal);
      }
    }),
  });
}

/** The inspector router's type, for a client of it (the page). */
export type InspectorRouter = ReturnType<typeof createInspectorRouter>;
