/**
 * An append-only list of what a mock server received, with a `waitFor` that wakes on each new entry
 * instead of sleeping and polling.
 */
export class RequestLog<T> {
  readonly #entries: T[] = [];
  readonly #waiters = new Set<() => void>();

  /** Everything recorded so far, oldest first. */
  get entries(): readonly T[] {
    return this.#entries;
  }

  /** Records one entry and wakes every pending `waitFor`. */
  push(entry: T): void {
    this.#entries.push(entry);
    for (const wake of [...this.#waiters]) wake();
  }

  /**
   * Resolves with the first entry (oldest first) for which `predicate` holds, as soon as one is
   * recorded; rejects after `timeoutMs` milliseconds, saying what was recorded instead.
   * `predicate` also gets every entry so far, e.g. `(_, all) => all.length >= 3`.
   */
  waitFor(predicate: (entry: T, all: readonly T[]) => boolean, timeoutMs = 5_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): boolean => {
        const found = this.#entries.find((entry) => predicate(entry, this.#entries));
        if (found === undefined) return false;
        this.#waiters.delete(wake);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const wake = (): void => {
        try {
          check();
        } catch (error) {
          this.#waiters.delete(wake);
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        reject(
          new Error(
            `no matching request within ${timeoutMs} ms; received ${this.#entries.length}: ` +
              JSON.stringify(this.#entries).slice(0, 2_000),
          ),
        );
      }, timeoutMs);
      this.#waiters.add(wake);
      wake();
    });
  }
}
