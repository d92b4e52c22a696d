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
import { AttachError, type OpenTunnel, openTunnel, type SourcedTarget } from "./tunnel.ts";

export interface ConnectorOptions {
  cloud: CloudAccess;
  totpSecret: string;
  relayedSocket: string;
  /** Browser addresses through source headers (see tunnel.ts `pipeWithSource`). */
  sourced?: SourcedTarget;
  want?: number;
  /** How long a relay we failed to reach is skipped. */
  skipFailedMs?: number;
  /** Tunnels up this long reset the backoff. */
  stableMs?: number;
  log: Logger;
}

/** The cloud's operator stopped this server (edge/console): attaches are refused with this. */
export interface OperatorRefusal {
  code: "server_suspended" | "server_deregistered";
  message: string;
  at: number;
}

export interface TunnelStatus {
  relayId: string;
  upAt: number;
}

/** How often to look again while a skipped relay may come back. */
const RECHECK_MS = 1_000;

/** When the relay started, from its tunnel port's `/healthz` (undefined when it does not answer). */
async function relayStartedAt(offer: RelayOffer, caPem?: string): Promise<number | undefined> {
  try {
    const res = await fetch(`https://${offer.tunnelAddress}/healthz`, {
      signal: AbortSignal.timeout(2_000),
      // By address, checked against the relay's name: an ACME certificate names no address.
      tls: { serverName: offer.hostName, ...(caPem ? { ca: caPem } : {}) },
    });
    const body = (await res.json()) as { uptimeMs?: unknown };
    return typeof body.uptimeMs === "number" ? Date.now() - body.uptimeMs : undefined;
  } catch {
    return undefined;
  }
}

export class Connector {
  readonly #o:
    & Required<Omit<ConnectorOptions, "cloud" | "log" | "totpSecret" | "relayedSocket" | "sourced">>
    & ConnectorOptions;
  readonly #tunnels = new Map<string, { tunnel: OpenTunnel; upAt: number }>();
  readonly #failedUntil = new Map<string, number>();
  /** When each skipped relay last failed us: a relay that started since then is tried at once. */
  readonly #failedAt = new Map<string, number>();
  readonly #backoff = new Backoff(250, 30_000);
  #running = false;
  #refusal: OperatorRefusal | undefined;
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

  /** Why the relays refuse this server, when an operator suspended or deregistered it (until an attach succeeds). */
  refusal(): OperatorRefusal | undefined {
    return this.#refusal;
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
        await this.#forgiveRestarted(offers);
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
        // While a relay we skip may come back, look again soon (a restarted one is tried at once);
        // the backoff still spaces out attaches to relays that keep failing.
        const skipping = [...this.#failedUntil.values()].some((until) => until > Date.now());
        const wait = skipping ? Math.min(RECHECK_MS, this.#backoff.next()) : this.#backoff.next();
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
        sourced: this.#o.sourced,
        log,
      });
      const upAt = Date.now();
      this.#refusal = undefined;
      this.#tunnels.set(offer.relayId, { tunnel, upAt });
      this.#failedUntil.delete(offer.relayId);
      this.#failedAt.delete(offer.relayId);
      log.info("tunnel attached", { relay: offer.relayId, tunnels: this.#tunnels.size });
      // GoAway: the relay is shutting down, or a newer tunnel of this server replaced this one
      // (another instance running with this server's identity). Either way this tunnel takes
      // nothing new: stop counting it (its open streams finish), skip the relay for a while and
      // attach elsewhere.
      void tunnel.goingAway.then(() => {
        if (this.#tunnels.get(offer.relayId)?.tunnel !== tunnel) return;
        this.#tunnels.delete(offer.relayId);
        this.#skip(offer.relayId);
        log.warn(
          "relay sent GoAway: it is shutting down, or another instance of this server attached there",
          {
            relay: offer.relayId,
            tunnels: this.#tunnels.size,
          },
        );
        this.#wake?.();
      });
      void tunnel.closed.then(() => {
        if (this.#tunnels.get(offer.relayId)?.tunnel !== tunnel) return;
        this.#tunnels.delete(offer.relayId);
        // A relay that dropped us is skipped for a moment: reattach elsewhere first.
        this.#skip(offer.relayId);
        log.warn("tunnel lost", {
          relay: offer.relayId,
          upForMs: Date.now() - upAt,
          tunnels: this.#tunnels.size,
        });
        this.#wake?.();
      });
      return true;
    } catch (err) {
      this.#skip(offer.relayId);
      if (
        err instanceof AttachError && (err.code === "server_suspended" || err.code === "server_deregistered")
      ) {
        this.#refusal = { code: err.code, message: err.message, at: Date.now() };
        log.error("the cloud's operator stopped this server: relays refuse its tunnels", {
          relay: offer.relayId,
          reason: err.message,
        });
      } else {
        log.warn("attach failed", { relay: offer.relayId, err });
      }
      return false;
    }
  }

  #skip(relayId: string): void {
    this.#failedAt.set(relayId, Date.now());
    this.#failedUntil.set(relayId, Date.now() + this.#o.skipFailedMs);
  }

  /**
   * A relay we skip that RegCloud offers again and that started after it failed us (its
   * `/healthz` uptime says so) was restarted: try it now instead of waiting out the skip. One that
   * keeps failing fails again after its start, so it stays skipped.
   */
  async #forgiveRestarted(offers: RelayOffer[]): Promise<void> {
    const now = Date.now();
    await Promise.all(offers.map(async (o) => {
      const failedAt = this.#failedAt.get(o.relayId);
      if (failedAt === undefined || (this.#failedUntil.get(o.relayId) ?? 0) <= now) return;
      const startedAt = await relayStartedAt(o, this.#o.cloud.caPem);
      if (startedAt !== undefined && startedAt > failedAt) {
        this.#o.log.info("relay restarted since it failed us: trying it now", { relay: o.relayId });
        this.#failedUntil.delete(o.relayId);
      }
    }));
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
