// Call latencies over the sliding window, in fixed logarithmic buckets: four per doubling,
// from 10 µs to about 4.7 minutes, so a percentile is known within one bucket (at most
// 19% above the true value) whatever the calls' spread, in a fixed 2.4 KB per procedure.
import { WINDOW_SLOTS } from './sliding-window.js';

/** The upper bound of the first bucket, in ms: every faster call counts there. */
const MIN_MS = 0.01;
/** Buckets per doubling of the latency. */
const PER_DOUBLING = 4;
/** How many buckets: the last one also takes every call slower than its bound (~282 s). */
export const BUCKETS = 100;

/** The bucket a latency of `ms` falls in: the first whose upper bound is at least `ms`. */
export function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0; // also NaN and negatives
  return Math.min(BUCKETS - 1, Math.ceil(Math.log2(ms / MIN_MS) * PER_DOUBLING));
}

/** The upper bound of bucket `bucket`, in ms. */
export function upperBoundOf(bucket: number): number {
  return MIN_MS * 2 ** (bucket / PER_DOUBLING);
}

/** Latency percentiles, in ms, rounded to 3 significant digits; `null` with no calls. */
export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** The slowest call seen in the window. */
  max: number | null;
}

/** Rounds to 3 significant digits, so that the page shows what the buckets really know. */
function round(ms: number): number {
  return Number(ms.toPrecision(3));
}

/** A latency histogram over the sliding window (see `SlotClock` for slot numbers). */
export class LatencyHistogram {
  readonly #counts = new Uint32Array(WINDOW_SLOTS * BUCKETS);
  readonly #slots = new Float64Array(WINDOW_SLOTS).fill(-1);
  readonly #max = new Float64Array(WINDOW_SLOTS);

  /** Counts one call that took `ms`, in slot `slot`. */
  record(slot: number, ms: number): void {
    const index = slot % WINDOW_SLOTS;
    if (this.#slots[index] !== slot) {
      this.#slots[index] = slot;
      this.#counts.fill(0, index * BUCKETS, (index + 1) * BUCKETS);
      this.#max[index] = 0;
    }
    this.#counts[index * BUCKETS + bucketOf(ms)]!++;
    if (ms > this.#max[index]!) this.#max[index] = ms;
  }

  /**
   * The 50th, 95th and 99th percentiles over the window that ends with slot `slot`: each
   * the upper bound of the bucket that holds it, or the slowest call if that is less.
   */
  percentiles(slot: number): Percentiles {
    const merged = new Float64Array(BUCKETS);
    let total = 0;
    let max = 0;
    for (let index = 0; index < WINDOW_SLOTS; index++) {
      const at = this.#slots[index]!;
      if (!(at > slot - WINDOW_SLOTS && at <= slot)) continue;
      for (let bucket = 0; bucket < BUCKETS; bucket++) {
        const count = this.#counts[index * BUCKETS + bucket]!;
        merged[bucket]! += count;
        total += count;
      }
      if (this.#max[index]! > max) max = this.#max[index]!;
    }
    if (total === 0) return { p50: null, p95: null, p99: null, max: null };
    const at = (quantile: number): number => {
      const rank = Math.ceil(quantile * total);
      let seen = 0;
      for (let bucket = 0; bucket < BUCKETS; bucket++) {
        seen += merged[bucket]!;
        if (seen >= rank) return round(Math.min(upperBoundOf(bucket), max));
      }
      return round(max);
    };
    return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: round(max) };
  }
}
