/**
 * Relay liveness and load. Relays heartbeat every 2 s; one that misses 3 is marked dead, its
 * tunnels are dropped from the table, and it is no longer handed out or answered in DNS.
 */
import { and, asc, eq, isNull, lt, sql } from "drizzle-orm";
import { relays, tunnels } from "../../shared/db/cloud/schema.ts";
import type { CloudDeps } from "../deps.ts";

export const HEARTBEAT_INTERVAL_MS = 2_000;
export const MISSED_HEARTBEATS_FOR_DEAD = 3;
export const DEAD_AFTER_MS = HEARTBEAT_INTERVAL_MS * MISSED_HEARTBEATS_FOR_DEAD;

/** One tunnel a relay holds, as it reports it with every heartbeat. */
export interface HeldTunnel {
  serverId: string;
  remoteAddress: string;
  upAt: number;
}

export interface Load {
  tunnels: number;
  streams: number;
  bytesPerSecond: number;
  /** false: the relay says it cannot accept browsers now. */
  healthy?: boolean;
  /**
   * Every tunnel the relay holds now. The tunnels table is reconciled to it, so tunnels survive a
   * cloud restart or a relay's missed heartbeats (events alone are lost when rows are swept).
   * Omitted by relays that do not send it: then only events change the table.
   */
  tunnelSet?: HeldTunnel[];
  /** The relay's software version and when its process started (for the operators' console). */
  version?: string;
  startedAt?: number;
}

/**
 * When this cloud instance first saw the liveness module in use (per `deps`, so tests with their
 * own clock start afresh). No relay is declared dead in its first liveness window: after a cloud
 * restart every relay's last heartbeat is old through no fault of its own.
 */
const cloudStartedAt = new WeakMap<CloudDeps, number>();
function startOf(deps: CloudDeps): number {
  let t = cloudStartedAt.get(deps);
  if (t === undefined) {
    t = deps.now();
    cloudStartedAt.set(deps, t);
  }
  return t;
}

export async function recordHeartbeat(deps: CloudDeps, relayId: string, load: Load): Promise<void> {
  startOf(deps);
  await deps.db.write(() =>
    deps.db.orm.update(relays).set({
      lastHeartbeatAt: deps.now(),
      // An unhealthy relay is kept out of offers and DNS answers like a dead one, but its tunnels
      // stay listed: they still work, and they are back in DNS with its next healthy heartbeat.
      deadAt: load.healthy === false ? deps.now() : null,
      loadTunnels: load.tunnels,
      loadStreams: load.streams,
      loadBytesPerSecond: load.bytesPerSecond,
      ...(load.version === undefined ? {} : { version: load.version }),
      ...(load.startedAt === undefined ? {} : { startedAt: load.startedAt }),
    }).where(eq(relays.id, relayId))
  );
  if (load.tunnelSet) await reconcileTunnels(deps, relayId, load.tunnelSet);
}

/**
 * Makes the tunnels table hold exactly `held` for `relayId`. Only the difference is written (read
 * first, then one batch of the rows that changed): a relay holding 500 tunnels heartbeats every
 * 2 s, and rewriting all of them each time was the cloud tier's largest write load
 * (bench/scale/README.md).
 */
async function reconcileTunnels(deps: CloudDeps, relayId: string, held: HeldTunnel[]): Promise<void> {
  const known = new Map(
    (await deps.db.orm.select({
      serverId: tunnels.serverId,
      remoteAddress: tunnels.remoteAddress,
      upAt: tunnels.upAt,
    })
      .from(tunnels).where(eq(tunnels.relayId, relayId))).map((t) => [t.serverId, t]),
  );
  const heldIds = new Set(held.map((t) => t.serverId));
  const gone = [...known.keys()].filter((id) => !heldIds.has(id));
  const changed = held.filter((t) => {
    const k = known.get(t.serverId);
    return !k || k.upAt !== t.upAt || k.remoteAddress !== t.remoteAddress;
  });
  if (gone.length === 0 && changed.length === 0) return;
  await deps.db.write(() =>
    deps.db.client.batch([
      ...(gone.length
        ? [{
          sql: `delete from tunnels where relay_id = ? and server_id in (${gone.map(() => "?").join(",")})`,
          args: [relayId, ...gone],
        }]
        : []),
      ...changed.map((t) => ({
        sql: `insert into tunnels (server_id, relay_id, remote_address, up_at)
              select ?, ?, ?, ? where exists (select 1 from servers where id = ?)
              on conflict (server_id, relay_id) do update set remote_address = excluded.remote_address, up_at = excluded.up_at`,
        args: [t.serverId, relayId, t.remoteAddress, t.upAt, t.serverId],
      })),
    ], "write")
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
  if (now - startOf(deps) < DEAD_AFTER_MS) return []; // the first liveness window: see startOf
  const cutoff = now - DEAD_AFTER_MS;
  const dead = await deps.db.write(() =>
    deps.db.orm.update(relays).set({ deadAt: now })
      .where(
        // Only a relay that was alive can die: one registered but never heard from is "new" (it
        // is offered to no one until its first heartbeat), however slowly its process starts.
        and(isNull(relays.deadAt), lt(relays.lastHeartbeatAt, cutoff)),
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
    version: r.version,
    startedAt: r.startedAt,
  }));
}
