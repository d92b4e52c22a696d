/**
 * Failed tunnel hellos counted per source address, in memory, so a flood of junk hellos from one
 * address is refused by the relay itself (without a round trip to RegCloud) while hellos from any
 * other address — alice's connector among them — are still verified. Never keyed by the claimed
 * server id: that id is public, and keying by it would let anyone lock its owner out.
 */
export interface AttachThrottleOptions {
  /** Failures within `windowMs` that ban the source. Default 5. */
  maxFailures?: number;
  /** Default 5 minutes. */
  windowMs?: number;
  /** Default 5 minutes. */
  banMs?: number;
  /** Sources remembered at once; the oldest are forgotten beyond this. Default 100 000. */
  maxKeys?: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  since: number;
  bannedUntil: number;
}

export class AttachThrottle {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;
  readonly #windowMs: number;
  readonly #banMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;

  constructor(
    { maxFailures = 5, windowMs = 5 * 60_000, banMs = 5 * 60_000, maxKeys = 100_000, now = Date.now }:
      AttachThrottleOptions = {},
  ) {
    this.#max = maxFailures;
    this.#windowMs = windowMs;
    this.#banMs = banMs;
    this.#maxKeys = maxKeys;
    this.#now = now;
  }

  /** Milliseconds until `source` may try again (0 when it may now). */
  bannedFor(source: string): number {
    const e = this.#entries.get(source);
    const left = e ? e.bannedUntil - this.#now() : 0;
    return left > 0 ? left : 0;
  }

  /** Counts one failed hello from `source`; returns the ban's length if this one started it. */
  fail(source: string): number {
    const now = this.#now();
    let e = this.#entries.get(source);
    if (!e || now - e.since > this.#windowMs) {
      if (!e && this.#entries.size >= this.#maxKeys) {
        // Insertion order: the first key is the longest remembered.
        const oldest = this.#entries.keys().next().value;
        if (oldest !== undefined) this.#entries.delete(oldest);
      }
      e = { failures: 0, since: now, bannedUntil: e?.bannedUntil ?? 0 };
      this.#entries.set(source, e);
    }
    e.failures++;
    if (e.failures >= this.#max) {
      e.bannedUntil = now + this.#banMs;
      e.failures = 0;
      e.since = now;
      return this.#banMs;
    }
    return 0;
  }

  /** A source that attached successfully starts afresh. */
  clear(source: string): void {
    this.#entries.delete(source);
  }
}
