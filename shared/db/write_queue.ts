/**
 * Serializes write transactions within one process. `@libsql/client` pools connections, and
 * two concurrent write transactions from one process stall or fail with SQLITE_BUSY; across
 * processes the client's busy timeout makes writers wait for each other instead.
 */
export class WriteQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;

  /** Runs `fn` after every write queued before it has settled. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    this.#pending++;
    const result = this.#tail.then(fn, fn);
    this.#tail = result.then(
      () => this.#pending--,
      () => this.#pending--,
    );
    return result;
  }

  /** Writes queued or running now. */
  get pending(): number {
    return this.#pending;
  }
}
