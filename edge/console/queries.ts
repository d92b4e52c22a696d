/**
 * What the console shows, read from the cloud DB (each list also served as JSON): relays and DNS
 * fronts with their liveness, the tunnel event log (filterable, paged by id), users and servers
 * with their traffic. Volumes, times and names only — never contents (README, "What operators hold").
 */
import { asc, eq } from "drizzle-orm";
import { dnsFronts, servers, tunnels } from "../../shared/db/cloud/schema.ts";
import type { CloudDeps } from "../deps.ts";
import { relayStatus } from "../reg/liveness.ts";

/**
 * A DNS front polls the snapshot every second, but the cloud records its visit at most once a minute
 * (edge/dns/routes.ts, to spare the DB a write per poll): a front unseen for 3 minutes is dead.
 */
export const FRONT_DEAD_AFTER_MS = 180_000;

export async function liveness(deps: CloudDeps) {
  const now = deps.now();
  const fronts = await deps.db.orm.select().from(dnsFronts).orderBy(asc(dnsFronts.id));
  const held = await deps.db.orm.select({
    server: servers.name,
    relayId: tunnels.relayId,
    remoteAddress: tunnels.remoteAddress,
    upAt: tunnels.upAt,
  }).from(tunnels).innerJoin(servers, eq(servers.id, tunnels.serverId))
    .orderBy(asc(servers.name), asc(tunnels.relayId)).limit(TUNNELS_SHOWN);
  return {
    at: now,
    relays: (await relayStatus(deps)).map((r) => ({
      ...r,
      uptimeMs: r.startedAt && r.state === "alive" ? now - r.startedAt : null,
    })),
    dnsFronts: fronts.map((f) => ({
      id: f.id,
      hostName: f.hostName,
      state: f.lastSeenAt == null ? "new" : now - f.lastSeenAt > FRONT_DEAD_AFTER_MS ? "dead" : "alive",
      lastSeenAt: f.lastSeenAt,
    })),
    /** Tunnels up now, per user and relay (the first `TUNNELS_SHOWN`; the relays' counts are complete). */
    tunnels: held,
  };
}

/** The live page lists at most this many tunnels (the JSON too); a large service pages through users. */
export const TUNNELS_SHOWN = 200;

export type Liveness = Awaited<ReturnType<typeof liveness>>;

export const EVENTS_PAGE = 50;

export interface EventFilter {
  server?: string;
  relay?: string;
  kind?: "tunnel_up" | "tunnel_down";
  /** Only events with an id below this (the next page). */
  before?: number;
}

/** Tunnel events newest first, with the server's name and, for a `tunnel_down`, how long it was up. */
export async function eventPage(deps: CloudDeps, f: EventFilter, limit = EVENTS_PAGE) {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (f.server) (where.push("s.name = ?"), args.push(f.server));
  if (f.relay) (where.push("e.relay_id = ?"), args.push(f.relay));
  if (f.kind) (where.push("e.kind = ?"), args.push(f.kind));
  if (f.before) (where.push("e.id < ?"), args.push(f.before));
  const rs = await deps.db.client.execute({
    sql: `select e.id, e.at, e.kind, e.relay_id as relayId, e.remote_address as remoteAddress,
            coalesce(s.name, e.server_id) as server,
            case when e.kind = 'tunnel_down' then e.at - (
              select max(u.at) from tunnel_events u where u.server_id = e.server_id
                and u.relay_id = e.relay_id and u.kind = 'tunnel_up' and u.at <= e.at) end as durationMs
          from tunnel_events e left join servers s on s.id = e.server_id
          ${where.length ? `where ${where.join(" and ")}` : ""}
          order by e.id desc limit ?`,
    args: [...args, limit + 1],
  });
  const rows = rs.rows.map((r) => ({
    id: Number(r.id),
    at: Number(r.at),
    kind: String(r.kind) as "tunnel_up" | "tunnel_down",
    server: String(r.server),
    relayId: String(r.relayId),
    remoteAddress: String(r.remoteAddress),
    durationMs: r.durationMs == null ? null : Number(r.durationMs),
  }));
  const more = rows.length > limit;
  const events = rows.slice(0, limit);
  return { events, next: more ? events.at(-1)!.id : null };
}

/** Every server with its owner, state, tunnels now, last tunnel, and traffic over 24 h and 30 days. */
export async function userList(deps: CloudDeps) {
  const now = deps.now();
  const rs = await deps.db.client.execute({
    sql: `select s.id, s.name, s.state, s.state_reason as reason, s.created_at as createdAt, a.email,
            (select count(*) from tunnels t where t.server_id = s.id) as tunnelsNow,
            (select max(at) from tunnel_events e where e.server_id = s.id) as lastTunnelAt,
            (select coalesce(sum(bytes), 0) from usage u where u.server_id = s.id and u.start >= ?) as bytes24h,
            (select coalesce(sum(bytes), 0) from usage u where u.server_id = s.id and u.start >= ?) as bytes30d
          from servers s left join accounts a on a.id = s.account_id order by s.name`,
    args: [now - 24 * 3600_000, now - 30 * 24 * 3600_000],
  });
  return rs.rows.map((r) => ({
    serverId: String(r.id),
    name: String(r.name),
    account: r.email == null ? null : String(r.email),
    state: String(r.state) as "active" | "suspended" | "deregistered",
    reason: r.reason == null ? null : String(r.reason),
    registeredAt: Number(r.createdAt),
    tunnelsNow: Number(r.tunnelsNow),
    lastTunnelAt: r.lastTunnelAt == null ? null : Number(r.lastTunnelAt),
    bytes24h: Number(r.bytes24h),
    bytes30d: Number(r.bytes30d),
  }));
}
