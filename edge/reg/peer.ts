/**
 * Where another user server is, for a server that wants to call it (friends: userserver/friends):
 * its public key — the one RegCloud verifies its own signed requests with — and the relays that
 * carry its tunnels now, each as the browser addresses and port a connection goes to. The caller
 * asks directly at the cloud tier (TLS to RegCloud, never through a relay), so no relay can swap
 * the key it gets. An offline server is known with no relays.
 */
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { relays, servers, tunnels } from "../../shared/db/cloud/schema.ts";
import type { CloudDeps } from "../deps.ts";
import { DEAD_AFTER_MS } from "./liveness.ts";

export interface PeerRoute {
  address: string;
  port: number;
}

export interface PeerInfo {
  name: string;
  publicKeyJwk: JsonWebKey;
  /** Alive relays holding a tunnel of this server, each address on its browser port. */
  routes: PeerRoute[];
}

export async function lookUpPeer(deps: CloudDeps, name: string): Promise<PeerInfo | undefined> {
  const [server] = await deps.db.orm.select().from(servers).where(eq(servers.name, name));
  // Deregistered: gone for everyone (edge/console/server_state.ts).
  if (!server || server.state === "deregistered") return undefined;
  const held = await deps.db.orm.select({ relayId: tunnels.relayId }).from(tunnels)
    .where(eq(tunnels.serverId, server.id));
  const rows = held.length === 0 ? [] : await deps.db.orm.select().from(relays).where(and(
    inArray(relays.id, held.map((h) => h.relayId)),
    isNull(relays.deadAt),
    sql`${relays.lastHeartbeatAt} >= ${deps.now() - DEAD_AFTER_MS}`,
  )).orderBy(relays.loadStreams);
  return {
    name: server.name,
    publicKeyJwk: JSON.parse(server.publicKeyJwk),
    routes: rows.flatMap((r) =>
      (JSON.parse(r.browserAddresses) as string[]).map((address) => ({ address, port: r.browserPort }))
    ),
  };
}
