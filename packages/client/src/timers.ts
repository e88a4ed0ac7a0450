/**
 * `setTimeout`, with the delay capped well below its limit (2³¹-1 ms), past which it
 * would fire at once. The timers that use it check the clock when they fire, and arm
 * themselves again when it is not yet time.
 */
export const later = (run: () => void, ms: number): ReturnType<typeof setTimeout> =>
  setTimeout(run, Math.min(ms, 1e9));

/** Whether a delay option turns its timer on: a positive, finite number of ms. */
export const isDelay = (ms: number): boolean => ms > 0 && ms < Infinity;

/** The clock of every deadline: monotonic, in ms. */
export const now = (): number => performance.now();
