// Waiting on a condition that events make true, with a generous timeout: no sleeps.

/** Wakes its waiters on `notify()`; each resolves once its condition holds. */
export class Waiters {
  readonly #checks = new Set<() => void>();

  /** Call after anything that may make a condition true. */
  notify(): void {
    for (const check of [...this.#checks]) check();
  }

  /** Resolves once `condition` holds (now or after a `notify()`); rejects after `ms`. */
  until(condition: () => boolean, what: () => string, ms = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.#checks.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#checks.delete(check);
        reject(new Error(`Timed out waiting for ${what()}`));
      }, ms);
      this.#checks.add(check);
      check();
    });
  }
}
