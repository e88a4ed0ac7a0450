// A sliding window made of a few fixed slots of time: what happened "lately" without keeping
// one entry per event. A slot is identified by its number (`Math.floor(now / slotMs)`); a
// slot's storage is reused, and zeroed, when a later slot with the same index arrives.

/** How many slots a window is cut into. The window slides by `windowMs / WINDOW_SLOTS`. */
export const WINDOW_SLOTS = 6;

/** Turns clock readings into slot numbers, and says how much time the window covers. */
export class SlotClock {
  readonly slotMs: number;
  readonly #startedAt: number;
  readonly windowMs: number;

  /**
   * @param windowMs the window's length; each slot is `windowMs / WINDOW_SLOTS` long.
   * @param startedAt when counting began: before a full window has passed, rates are
   * taken over the time since then.
   */
  constructor(windowMs: number, startedAt: number) {
    this.windowMs = windowMs;
    this.slotMs = windowMs / WINDOW_SLOTS;
    this.#startedAt = startedAt;
  }

  /** The slot `now` falls in. */
  slot(now: number): number {
    return Math.floor(now / this.slotMs);
  }

  /**
   * The seconds the window holds at `now`: the whole slots before the current one and
   * the part of the current one gone by, but never more than the time since counting
   * began, and never less than one second (so a burst at start-up is not a huge rate).
   */
  coveredSeconds(now: number): number {
    const slotStart = this.slot(now) * this.slotMs;
    const covered = Math.min(
      (WINDOW_SLOTS - 1) * this.slotMs + (now - slotStart),
      now - this.#startedAt,
    );
    return Math.max(covered, 1000) / 1000;
  }
}

/** A count since the start, and over the sliding window. Fixed size: WINDOW_SLOTS numbers. */
export class WindowedCount {
  #total = 0;
  readonly #counts = new Float64Array(WINDOW_SLOTS);
  readonly #slots = new Float64Array(WINDOW_SLOTS).fill(-1);

  /** Adds `n` in slot `slot`. */
  add(slot: number, n = 1): void {
    const index = slot % WINDOW_SLOTS;
    if (this.#slots[index] !== slot) {
      this.#slots[index] = slot;
      this.#counts[index] = 0;
    }
    this.#counts[index]! += n;
    this.#total += n;
  }

  /** Everything added since the start. */
  get total(): number {
    return this.#total;
  }

  /** What was added in the window that ends with slot `slot`. */
  recent(slot: number): number {
    let sum = 0;
    for (let index = 0; index < WINDOW_SLOTS; index++) {
      const at = this.#slots[index]!;
      if (at > slot - WINDOW_SLOTS && at <= slot) sum += this.#counts[index]!;
    }
    return sum;
  }
}
