/**
 * Sends tunnel_up / tunnel_down events to RegCloud in order, retrying with backoff when the
 * cloud tier is unreachable, so a brief outage does not leave the tunnels table wrong.
 */
import { Backoff } from "../../shared/backoff.ts";
import type { Logger } from "../../shared/log/mod.ts";

export interface TunnelEventRecord {
  kind: "tunnel_up" | "tunnel_down";
  serverId: string;
  remoteAddress: string;
  at: number;
}

const MAX_QUEUED = 10_000;

export class EventReporter {
  #queue: TunnelEventRecord[] = [];
  #sending = false;
  #stopped = false;
  readonly #backoff = new Backoff(200, 10_000);

  constructor(private readonly send: (e: TunnelEventRecord) => Promise<void>, private readonly log: Logger) {}

  report(e: TunnelEventRecord): void {
    if (this.#queue.length >= MAX_QUEUED) {
      this.log.warn("tunnel event queue full; dropping the oldest", { queued: this.#queue.length });
      this.#queue.shift();
    }
    this.#queue.push(e);
    void this.#pump();
  }

  /** Sends what is queued (bounded wait), then stops. */
  async flush(timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#queue.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.#stopped = true;
  }

  async #pump(): Promise<void> {
    if (this.#sending) return;
    this.#sending = true;
    try {
      while (this.#queue.length && !this.#stopped) {
        try {
          await this.send(this.#queue[0]);
          this.#queue.shift();
          this.#backoff.reset();
        } catch (err) {
          const wait = this.#backoff.next();
          this.log.warn("tunnel event not delivered; retrying", { err, waitMs: wait });
          await new Promise((r) => setTimeout(r, wait));
        }
      }
    } finally {
      this.#sending = false;
    }
  }
}
