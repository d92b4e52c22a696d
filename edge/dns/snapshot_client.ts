/**
 * The DNS front's copy of the snapshot: asks RegCloud every `intervalMs` with `If-None-Match`,
 * so an unchanged zone costs a 304. Keeps serving the last good snapshot while RegCloud is away.
 */
import type { Logger } from "../../shared/log/mod.ts";
import { type DnsSnapshot, parseSnapshot } from "./snapshot.ts";

export interface SnapshotClientOptions {
  cloudUrl: string;
  credential: string;
  caPem?: string;
  intervalMs: number;
  log: Logger;
  onSnapshot: (s: DnsSnapshot) => void;
}

export class SnapshotFetchError extends Error {
  override name = "SnapshotFetchError";
}

export class SnapshotClient {
  #etag?: string;
  #timer?: ReturnType<typeof setTimeout>;
  #stopped = false;
  #failing = false;
  /** Unix ms of the last successful answer (200 or 304). */
  lastOkAt = 0;

  constructor(private readonly o: SnapshotClientOptions) {}

  /** Fetches once; resolves true when a new snapshot arrived. */
  async poll(): Promise<boolean> {
    const res = await fetch(new URL("/reg/v1/dns/snapshot", this.o.cloudUrl), {
      headers: {
        authorization: `Bearer ${this.o.credential}`,
        ...(this.#etag ? { "if-none-match": this.#etag } : {}),
      },
      signal: AbortSignal.timeout(5_000),
      ...(this.o.caPem ? { tls: { ca: this.o.caPem } } : {}),
    });
    if (res.status === 304) {
      this.lastOkAt = Date.now();
      return false;
    }
    if (!res.ok) {
      throw new SnapshotFetchError(
        `Snapshot refused: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`,
      );
    }
    const snap = parseSnapshot(await res.json());
    this.#etag = res.headers.get("etag") ?? undefined;
    this.lastOkAt = Date.now();
    this.o.onSnapshot(snap);
    return true;
  }

  start(): void {
    const tick = async () => {
      try {
        await this.poll();
        if (this.#failing) this.o.log.info("snapshot fetch works again");
        this.#failing = false;
      } catch (err) {
        if (!this.#failing) this.o.log.warn("snapshot fetch failed; serving the last one", { err });
        this.#failing = true;
      }
      if (!this.#stopped) this.#timer = setTimeout(tick, this.o.intervalMs);
    };
    tick();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }
}
