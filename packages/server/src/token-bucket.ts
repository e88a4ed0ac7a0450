import type { RateLimit } from './limits.js';

/**
 * A token bucket: holds up to `burst` tokens, starts full, and refills continuously at
 * `messagesPerSecond`. Taking is arithmetic on two numbers, with no timer and no
 * allocation.
 */
export class TokenBucket {
  readonly #perMs: number;
  readonly #burst: number;
  #tokens: number;
  #refilledAt: number;

  constructor(limit: RateLimit) {
    this.#perMs = limit.messagesPerSecond / 1000;
    this.#burst = limit.burst;
    this.#tokens = limit.burst;
    this.#refilledAt = performance.now();
  }

  /** Takes `count` tokens if the bucket holds them; otherwise takes none and says so. */
  take(count: number): boolean {
    const now = performance.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#refilledAt) * this.#perMs);
    this.#refilledAt = now;
    if (this.#tokens < count) return false;
    this.#tokens -= count;
    return true;
  }
}
