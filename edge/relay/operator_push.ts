/**
 * What the relay reports to RegCloud for the operators and what RegCloud pushes back
 * (issue #23), kept out of the data path:
 * - `UsageMeter`: bytes (the tunnel's yamux session, both directions, framing included) and browser
 *   connections routed into each tunnel, per server, since the last heartbeat — volumes only;
 * - `dropTunnels`: the heartbeat answer names tunnels of servers an operator suspended or
 *   deregistered; the relay closes them at once (PROTOCOL.md, "Suspended and deregistered servers").
 */
import type { Logger } from "../../shared/log/mod.ts";
import type { Tunnel, TunnelRegistry } from "./registry.ts";

export interface UsageCount {
  serverId: string;
  bytes: number;
  connections: number;
}

export class UsageMeter {
  readonly #reported = new WeakMap<Tunnel, { bytes: number; connections: number }>();
  /** Counted but not yet acknowledged by RegCloud: sent again with the next heartbeat if this one fails. */
  #pending = new Map<string, UsageCount>();

  constructor(private readonly registry: TunnelRegistry) {}

  /** Counts since the last acknowledged report, summed per server (tunnels closed meanwhile included). */
  take(): UsageCount[] {
    for (const t of [...this.registry.all(), ...this.registry.takeRemoved()]) {
      const stats = t.session.stats();
      const now = { bytes: stats.bytesIn + stats.bytesOut, connections: this.registry.connectionsOf(t) };
      const before = this.#reported.get(t) ?? { bytes: 0, connections: 0 };
      this.#reported.set(t, now);
      const sum = this.#pending.get(t.serverId) ?? { serverId: t.serverId, bytes: 0, connections: 0 };
      sum.bytes += now.bytes - before.bytes;
      sum.connections += now.connections - before.connections;
      this.#pending.set(t.serverId, sum);
    }
    return [...this.#pending.values()].filter((u) => u.bytes > 0 || u.connections > 0).map((u) => ({ ...u }));
  }

  /** RegCloud stored the last `take()`: start counting afresh. */
  acknowledge(): void {
    this.#pending = new Map();
  }
}

/** Closes every tunnel of each server RegCloud named; the tunnel port reports them down as usual. */
export function dropTunnels(
  registry: TunnelRegistry,
  drop: { serverId: string; code: string }[],
  log: Logger,
): void {
  for (const d of drop) {
    for (const t of registry.all().filter((x) => x.serverId === d.serverId)) {
      log.warn("dropping a tunnel: its server was stopped by an operator", {
        server: t.serverName,
        code: d.code,
      });
      void t.session.close();
    }
  }
}
