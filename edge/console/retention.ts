/**
 * How long the tunnel event log is kept (who attached, from which address, when): 90 days unless
 * the operator configures otherwise (`tunnelEventRetentionDays` in the cloud config). A job prunes.
 */
import { lt } from "drizzle-orm";
import { tunnelEvents } from "../../shared/db/cloud/schema.ts";
import type { CloudDeps } from "../deps.ts";

export const DEFAULT_EVENT_RETENTION_DAYS = 90;

export async function pruneTunnelEvents(deps: CloudDeps): Promise<number> {
  const days = deps.tunnelEventRetentionDays ?? DEFAULT_EVENT_RETENTION_DAYS;
  const cutoff = deps.now() - days * 24 * 3600_000;
  const gone = await deps.db.write(() =>
    deps.db.orm.delete(tunnelEvents).where(lt(tunnelEvents.at, cutoff)).returning({ id: tunnelEvents.id })
  );
  return gone.length;
}
