/**
 * Counts failures per key in a sliding window (password guesses per address, per link). A key
 * that reached `limit` failures in the last `windowMs` is blocked until the oldest of them leaves
 * the window. Memory is bounded: at most `maxKeys` keys are tracked (the stalest are dropped
 * first), each holding at most `limit` times.
 */
export class FailureWindow {
  readonly #times = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly maxKeys = 50_000,
  ) {}

  /** When `key` may try again (ms since epoch), or undefined when it is not blocked. */
  blockedUntil(key: string, now: number): number | undefined {
    const times = this.#live(key, now);
    return times.length >= this.limit ? times[0]! + this.windowMs : undefined;
  }

  /** Counts one failure for `key`; returns when it may try again if this one blocked it. */
  record(key: string, now: number): number | undefined {
    const times = this.#live(key, now);
    times.push(now);
    if (times.length > this.limit) times.shift();
    // Re-inserting keeps the Map in least-recently-failed order, so eviction drops the stalest.
    this.#times.delete(key);
    this.#times.set(key, times);
    while (this.#times.size > this.maxKeys) this.#times.delete(this.#times.keys().next().value!);
    return this.blockedUntil(key, now);
  }

  /** Forgets `key` (a correct password from it). */
  clear(key: string): void {
    this.#times.delete(key);
  }

  /** How many failures `key` has in the window. */
  count(key: string, now: number): number {
    return this.#live(key, now).length;
  }

  #live(key: string, now: number): number[] {
    const times = this.#times.get(key);
    if (!times) return [];
    while (times.length > 0 && times[0]! <= now - this.windowMs) times.shift();
    if (times.length === 0) this.#times.delete(key);
    return times;
  }
}
