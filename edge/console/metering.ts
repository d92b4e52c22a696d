/**
 * Metering (issue #23): relays count bytes and browser connections per server and send the counts
 * since their last report with each heartbeat; RegCloud adds them to hourly rows per (server,
 * relay). Hourly rows older than 30 days are folded into daily rows by a job, so storage stays
 * bounded. Volumes and times only.
 */
import type { CloudDeps } from "../deps.ts";

export const HOUR_MS = 3600_000;
export const DAY_MS = 24 * HOUR_MS;
export const HOURLY_KEPT_MS = 30 * DAY_MS;

export interface UsageReport {
  serverId: string;
  bytes: number;
  connections: number;
}

export async function recordUsage(deps: CloudDeps, relayId: string, report: UsageReport[]): Promise<void> {
  const counted = report.filter((u) => u.bytes > 0 || u.connections > 0);
  if (!counted.length) return;
  const hour = Math.floor(deps.now() / HOUR_MS) * HOUR_MS;
  await deps.db.write(() =>
    deps.db.client.batch(
      counted.map((u) => ({
        // Only servers that exist: a relay's report cannot create rows for made-up ids.
        sql: `insert into usage (server_id, relay_id, period, start, bytes, connections)
              select ?, ?, 'hour', ?, ?, ? where exists (select 1 from servers where id = ?)
              on conflict (server_id, relay_id, period, start) do update set
                bytes = bytes + excluded.bytes, connections = connections + excluded.connections`,
        args: [u.serverId, relayId, hour, u.bytes, u.connections, u.serverId],
      })),
      "write",
    )
  );
}

/** Folds hourly rows older than 30 days into daily rows (00:00 UTC); returns how many hours were folded. */
export async function compactUsage(deps: CloudDeps): Promise<number> {
  const cutoff = Math.floor((deps.now() - HOURLY_KEPT_MS) / DAY_MS) * DAY_MS;
  const [, deleted] = await deps.db.write(() =>
    deps.db.client.batch([
      {
        sql: `insert into usage (server_id, relay_id, period, start, bytes, connections)
              select server_id, relay_id, 'day', start - (start % ${DAY_MS}), sum(bytes), sum(connections)
              from usage where period = 'hour' and start < ? group by server_id, relay_id, start - (start % ${DAY_MS})
              on conflict (server_id, relay_id, period, start) do update set
                bytes = bytes + excluded.bytes, connections = connections + excluded.connections`,
        args: [cutoff],
      },
      { sql: "delete from usage where period = 'hour' and start < ?", args: [cutoff] },
    ], "write")
  );
  return deleted.rowsAffected;
}

/** A server's traffic by day (hourly rows summed, daily rows as they are), newest first. */
export async function usageByDay(deps: CloudDeps, serverId: string, days = 30) {
  const since = Math.floor((deps.now() - days * DAY_MS) / DAY_MS) * DAY_MS;
  const rs = await deps.db.client.execute({
    sql: `select start - (start % ${DAY_MS}) as day, sum(bytes) as bytes, sum(connections) as connections
          from usage where server_id = ? and start >= ? group by day order by day desc`,
    args: [serverId, since],
  });
  return rs.rows.map((r) => ({
    day: Number(r.day),
    bytes: Number(r.bytes),
    connections: Number(r.connections),
  }));
}
