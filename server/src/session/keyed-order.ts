/**
 * Runs async work one after another per key (per consultation), in the order it was asked
 * for, while different keys run side by side. The session's background writes need it: pg
 * may run two transactions in any order, so a session emptying and the next one opening,
 * or an admission and the host's mute that follows, must not land reversed. A failed piece
 * of work does not stop the ones after it.
 */
export class KeyedOrder {
  /** Per key, the end of its last piece of work (settled either way). */
  readonly #tails = new Map<string, Promise<void>>();

  /** Starts `work` once the key's earlier work is done; its own result or failure. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const next = (this.#tails.get(key) ?? Promise.resolve()).then(work);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return next;
  }

  /** Resolves when the key's work asked for so far is done (never rejects). */
  idle(key: string): Promise<void> {
    return this.#tails.get(key) ?? Promise.resolve();
  }
}
