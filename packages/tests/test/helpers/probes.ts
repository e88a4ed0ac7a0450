// Probes: what a test subscription reports about its own run (started, aborted, its
// finally entered and finished), looked up by the label it was given as input.
import { deferred } from './harness.js';

/** Resolves once the signal aborts (at once if it already has). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}

function makeProbe() {
  return {
    started: deferred(),
    aborted: deferred(),
    finallyRan: deferred(),
    /** The subscription's finally block was entered. */
    cleanupStarted: deferred(),
    /** Lets the finally block of a run labelled `gated...` finish. */
    cleanupGate: deferred(),
    /** Set synchronously at the end of the subscription's finally. */
    finished: false,
  };
}

export type Probe = ReturnType<typeof makeProbe>;

/** A registry of probes by label; `reset()` between tests. */
export function createProbes() {
  let probes = new Map<string, Probe>();
  return {
    /** The probe for `label`, made on first use. */
    get(label: string): Probe {
      let found = probes.get(label);
      if (found === undefined) {
        found = makeProbe();
        probes.set(label, found);
      }
      return found;
    },
    has: (label: string) => probes.has(label),
    reset() {
      probes = new Map();
    },
  };
}
