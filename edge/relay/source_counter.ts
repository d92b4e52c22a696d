/**
 * Concurrent connections per source address, with a cap: one address cannot hold more than its
 * share of a port however slowly it talks (the deadlines bound how long; this bounds how many).
 */
export class SourceCounter {
  readonly #open = new Map<string, number>();
  #total = 0;
  constructor(private readonly max: number) {}

  /** Counts a new connection from `source`; false (and nothing counted) when it is at the cap. */
  tryAdd(source: string): boolean {
    const n = this.#open.get(source) ?? 0;
    if (n >= this.max) return false;
    this.#open.set(source, n + 1);
    this.#total++;
    return true;
  }

  remove(source: string): void {
    const n = this.#open.get(source) ?? 0;
    if (n === 0) return;
    this.#total--;
    if (n === 1) this.#open.delete(source);
    else this.#open.set(source, n - 1);
  }

  count(source: string): number {
    return this.#open.get(source) ?? 0;
  }

  /** Connections open over all sources. */
  get total(): number {
    return this.#total;
  }
}
