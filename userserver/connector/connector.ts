/**
 * The ETConnector: holds tunnels to `want` relays (2 by default). At boot, and whenever a tunnel
 * is lost, it asks RegCloud for the alive relays with fresh one-time nonces (a signed request,
 * straight to the cloud tier) and attaches to relays it is not on yet, skipping those it just
 * failed to reach even if RegCloud still lists them. Failures back off exponentially with full
 * jitter; the backoff resets once every tunnel has been up for a stable period.
 */
import { Backoff } from "../../shared/backoff.ts";
import type { Logger } from "../../shared/log/mod.ts";
import { type CloudAccess, fetchRelayOffers, type RelayOffer } from "./cloud.ts";
import { type OpenTunnel, openTunnel } from "./tunnel.ts";

export interface ConnectorOptions {
  cloud: CloudAccess;
  totpSecret: string;
  relayedSocket: string;
  want?: number;
  /** How long a relay we failed to reach is skipped. */
  skipFailedMs?: number;
  /** Tunnels up this long reset the backoff. */
  stableMs?: number;
  log: Logger;
}

export interface TunnelStatus {
  relayId: string;
  upAt: number;
}

export class Connector {
  readonly #o:
    & Required<Omit<ConnectorOptions, "cloud" | "log" | "totpSecret" | "relayedSocket">>
    & ConnectorOptions;
  readonly #tunnels = new Map<string, { tunnel: OpenTunnel; upAt: number }>();
  readonly #failedUntil = new Map<string, number>();
  readonly #backoff = new Backoff(250, 30_000);
  #running = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: ConnectorOptions) {
    this.#o = { want: 2, skipFailedMs: 30_000, stableMs: 30_000, ...options };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#maintain();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    for (const { tunnel } of this.#tunnels.values()) tunnel.close();
    await this.#loop;
  }

  status(): TunnelStatus[] {
    return [...this.#tunnels].map(([relayId, t]) => ({ relayId, upAt: t.upAt }));
  }

  async #maintain(): Promise<void> {
    const { log } = this.#o;
    while (this.#running) {
      if (this.#tunnels.size >= this.#o.want) {
        await this.#sleep(this.#o.stableMs);
        if (this.#tunnels.size >= this.#o.want) this.#backoff.reset();
        continue;
      }
      let attached = 0;
      try {
        const offers = await fetchRelayOffers(this.#o.cloud);
        const now = Date.now();
        const candidates = offers.filter((o) =>
          !this.#tunnels.has(o.relayId) && (this.#failedUntil.get(o.relayId) ?? 0) <= now
        );
        for (const offer of candidates) {
          if (this.#tunnels.size >= this.#o.want || !this.#running) break;
          if (await this.#attach(offer)) attached++;
        }
        if (this.#tunnels.size < this.#o.want && !candidates.length) {
          log.warn("no free relay to attach to", {
            tunnels: this.#tunnels.size,
            want: this.#o.want,
            offered: offers.map((o) => o.relayId),
          });
        }
      } catch (err) {
        log.warn("cannot get relays from RegCloud", { err });
      }
      if (this.#tunnels.size < this.#o.want && this.#running) {
        const wait = this.#backoff.next();
        log.info("retrying attach", { inMs: wait, tunnels: this.#tunnels.size, attached });
        await this.#sleep(wait);
      }
    }
  }

  async #attach(offer: RelayOffer): Promise<boolean> {
    const { log } = this.#o;
    try {
      const tunnel = await openTunnel({
        offer,
        serverId: this.#o.cloud.serverId,
        totpSecret: this.#o.totpSecret,
        caPem: this.#o.cloud.caPem,
        relayedSocket: this.#o.relayedSocket,
        log,
      });
      const upAt = Date.now();
      this.#tunnels.set(offer.relayId, { tunnel, upAt });
      this.#failedUntil.delete(offer.relayId);
      log.info("tunnel attached", { relay: offer.relayId, tunnels: this.#tunnels.size });
      void tunnel.closed.then(() => {
        if (this.#tunnels.get(offer.relayId)?.tunnel !== tunnel) return;
        this.#tunnels.delete(offer.relayId);
        // A relay that dropped us is skipped for a moment: reattach elsewhere first.
        this.#failedUntil.set(offer.relayId, Date.now() + this.#o.skipFailedMs);
        log.warn("tunnel lost", {
          relay: offer.relayId,
          upForMs: Date.now() - upAt,
          tunnels: this.#tunnels.size,
        });
        this.#wake?.();
      });
      return true;
    } catch (err) {
      this.#failedUntil.set(offer.relayId, Date.now() + this.#o.skipFailedMs);
      log.warn("attach failed", { relay: offer.relayId, err });
      return false;
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}
