/**
 * Relay liveness and load. Relays heartbeat every 2 s; one that misses 3 is marked dead, its
 * tunnels are dropped from the table, and it is no longer handed out or answered in DNS.
 */
import { and, asc, eq, isNull, lt, or, sql } from "drizzle-orm";
import { relays, tunnels } from "../../shared/db/cloud/schema.ts";
import type { CloudDeps } from "../deps.ts";

export const HEARTBEAT_INTERVAL_MS = 2_000;
export const MISSED_HEARTBEATS_FOR_DEAD = 3;
const DEAD_AFTER_MS = HEARTBEAT_INTERVAL_MS * MISSED_HEARTBEATS_FOR_DEAD;

export interface Load {
  tunnels: number;
  streams: number;
  bytesPerSecond: number;
  /** false: the relay says it cannot accept browsers now. */
  healthy?: boolean;
}

export async function recordHeartbeat(deps: CloudDeps, relayId: string, load: Load): Promise<void> {
  await deps.db.write(() =>
    deps.db.orm.update(relays).set({
      lastHeartbeatAt: deps.now(),
      // An unhealthy relay is kept out of offers and DNS answers like a dead one, but its tunnels
      // stay listed: they still work, and they are back in DNS with its next healthy heartbeat.
      deadAt: load.healthy === false ? deps.now() : null,
      loadTunnels: load.tunnels,
      loadStreams: load.streams,
      loadBytesPerSecond: load.bytesPerSecond,
    }).where(eq(relays.id, relayId))
  );
}

export interface TunnelEvent {
  kind: "tunnel_up" | "tunnel_down";
  serverId: string;
  remoteAddress: string;
  at: number;
}

export async function recordTunnelEvent(deps: CloudDeps, relayId: string, e: TunnelEvent): Promise<void> {
  await deps.db.write(() =>
    e.kind === "tunnel_up"
      ? deps.db.client.batch([
        {
          sql:
            "insert into tunnel_events (server_id, relay_id, kind, remote_address, at) values (?, ?, ?, ?, ?)",
          args: [e.serverId, relayId, e.kind, e.remoteAddress, e.at],
        },
        {
          sql: `insert into tunnels (server_id, relay_id, remote_address, up_at) values (?, ?, ?, ?)
                on conflict (server_id, relay_id) do update set remote_address = excluded.remote_address, up_at = excluded.up_at`,
          args: [e.serverId, relayId, e.remoteAddress, e.at],
        },
      ], "write")
      : deps.db.client.batch([
        {
          sql:
            "insert into tunnel_events (server_id, relay_id, kind, remote_address, at) values (?, ?, ?, ?, ?)",
          args: [e.serverId, relayId, e.kind, e.remoteAddress, e.at],
        },
        {
          sql: "delete from tunnels where server_id = ? and relay_id = ? and up_at <= ?",
          args: [e.serverId, relayId, e.at],
        },
      ], "write")
  );
}

/** Marks relays dead that missed 3 heartbeats and drops their tunnels; returns their ids. */
export async function sweepDeadRelays(deps: CloudDeps): Promise<string[]> {
  const now = deps.now();
  const cutoff = now - DEAD_AFTER_MS;
  const dead = await deps.db.write(() =>
    deps.db.orm.update(relays).set({ deadAt: now })
      .where(
        and(
          isNull(relays.deadAt),
          or(
            lt(relays.lastHeartbeatAt, cutoff),
            and(isNull(relays.lastHeartbeatAt), lt(relays.createdAt, cutoff)),
          ),
        ),
      )
      .returning({ id: relays.id })
  );
  if (dead.length) {
    const ids = dead.map((d) => d.id);
    await deps.db.write(() => deps.db.orm.delete(tunnels).where(sql`${tunnels.relayId} in ${ids}`));
    deps.log.warn("relays marked dead", { relays: ids, missedHeartbeats: MISSED_HEARTBEATS_FOR_DEAD });
  }
  return dead.map((d) => d.id);
}

/** Relays alive now (a heartbeat within the window), least loaded first. */
export async function aliveRelays(deps: CloudDeps) {
  await sweepDeadRelays(deps);
  return await deps.db.orm.select().from(relays)
    .where(and(isNull(relays.deadAt), sql`${relays.lastHeartbeatAt} >= ${deps.now() - DEAD_AFTER_MS}`))
    .orderBy(asc(relays.loadTunnels), asc(relays.loadStreams));
}

/** Every relay with its state, for the status page. */
export async function relayStatus(deps: CloudDeps) {
  await sweepDeadRelays(deps);
  const rows = await deps.db.orm.select().from(relays).orderBy(asc(relays.id));
  return rows.map((r) => ({
    id: r.id,
    hostName: r.hostName,
    state: r.deadAt ? "dead" : r.lastHeartbeatAt ? "alive" : "new",
    deadAt: r.deadAt,
    lastHeartbeatAt: r.lastHeartbeatAt,
    load: { tunnels: r.loadTunnels, streams: r.loadStreams, bytesPerSecond: r.loadBytesPerSecond },
  }));
}
