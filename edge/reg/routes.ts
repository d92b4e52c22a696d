/**
 * RegCloud's HTTP API (JSON), mounted at `/reg/v1` by the cloud app:
 *   POST /server/relays      server-signed   → alive relays, each with a one-time nonce
 *   POST /server/peer        server-signed   → another server's public key and the relays that carry it
 *   POST /relay/attach       relay bearer    → verify a tunnel hello (nonce + TOTP)
 *   POST /relay/heartbeat    relay bearer    → liveness + load + metering; answers the tunnels to drop
 *   POST /relay/events       relay bearer    → tunnel_up / tunnel_down
 *   GET  /status             operator        → relays and their state (edge/console/auth.ts: an
 *                                              operator's session with TOTP, or an operator token)
 */
import { Hono } from "hono";
import { z } from "zod";
import type { CloudDeps } from "../deps.ts";
import { jsonBody } from "../../shared/web/json_body.ts";
import { offerRelays, verifyAttach } from "./attach.ts";
import { recordHeartbeat, recordTunnelEvent, relayStatus } from "./liveness.ts";
import { relayAuth, type RelayAuthEnv } from "./relay_auth.ts";
import { serverAuth, type ServerAuthEnv } from "./server_auth.ts";
import { lookUpPeer } from "./peer.ts";
import { operatorOnly } from "../console/auth.ts";
import { suspendedNames, tunnelsToDrop } from "../console/server_state.ts";
import { recordUsage } from "../console/metering.ts";

const attachBody = z.strictObject({
  serverId: z.string().min(1).max(128),
  nonce: z.string().min(1).max(128),
  totp: z.string().regex(/^[0-9]{6}$/),
  /** The hello's source address as the relay saw it: failures are throttled per source. */
  source: z.string().min(1).max(100).optional(),
});
const heartbeatBody = z.strictObject({
  tunnels: z.number().int().min(0),
  streams: z.number().int().min(0),
  bytesPerSecond: z.number().min(0),
  /** false: the relay cannot be counted on to accept browsers (near its limits); default true. */
  healthy: z.boolean().default(true),
  /** Every tunnel the relay holds (see liveness.ts `reconcileTunnels`). */
  tunnelSet: z.array(z.strictObject({
    serverId: z.string().min(1).max(128),
    remoteAddress: z.string().max(100),
    upAt: z.number().int().positive(),
  })).max(100_000).optional(),
  version: z.string().max(64).optional(),
  startedAt: z.number().int().positive().optional(),
  /** Bytes and browser connections per server since the last heartbeat (edge/console/metering.ts). */
  usage: z.array(z.strictObject({
    serverId: z.string().min(1).max(128),
    bytes: z.number().int().min(0),
    connections: z.number().int().min(0),
  })).max(100_000).optional(),
});
const eventBody = z.strictObject({
  kind: z.enum(["tunnel_up", "tunnel_down"]),
  serverId: z.string().min(1).max(128),
  remoteAddress: z.string().max(100),
  at: z.number().int().positive(),
});
const relaysBody = z.strictObject({ max: z.number().int().min(1).max(16).default(8) });
const peerBody = z.strictObject({ name: z.string().min(1).max(63) });

export function createRegRoutes(deps: CloudDeps): Hono {
  const app = new Hono();

  const server = new Hono<ServerAuthEnv>();
  server.use(serverAuth(deps));
  server.post("/relays", jsonBody(relaysBody), async (c) => {
    const { max } = c.req.valid("json");
    const relays = await offerRelays(deps, c.get("serverId"), max);
    return c.json({ serverId: c.get("serverId"), name: c.get("serverName"), relays });
  });

  server.post("/peer", jsonBody(peerBody), async (c) => {
    const { name } = c.req.valid("json");
    const peer = await lookUpPeer(deps, name.toLowerCase());
    if (!peer) return c.json({ error: `No Hearth server is named "${name}"` }, 404);
    return c.json(peer);
  });

  const relay = new Hono<RelayAuthEnv>();
  relay.use(relayAuth(deps));
  relay.post("/attach", jsonBody(attachBody), async (c) => {
    const body = c.req.valid("json");
    const result = await verifyAttach(deps, c.get("relayId"), body);
    if (result.ok) return c.json(result);
    if (result.retryAfterMs) c.header("retry-after", String(Math.ceil(result.retryAfterMs / 1000)));
    return c.json({ ok: false, code: result.code, error: result.message }, result.status);
  });
  relay.post("/heartbeat", jsonBody(heartbeatBody), async (c) => {
    const { usage, ...load } = c.req.valid("json");
    const relayId = c.get("relayId");
    await recordHeartbeat(deps, relayId, load);
    if (usage) await recordUsage(deps, relayId, usage);
    // The push half of suspension (edge/console/server_state.ts): tunnels of servers that are no
    // longer active, which the relay closes at once — within one heartbeat interval of the change.
    const drop = await tunnelsToDrop(deps, relayId, load.tunnelSet?.map((t) => t.serverId));
    return c.json({ ok: true, drop, suspended: await suspendedNames(deps) });
  });
  relay.post("/events", jsonBody(eventBody), async (c) => {
    await recordTunnelEvent(deps, c.get("relayId"), c.req.valid("json"));
    return c.json({ ok: true });
  });

  app.route("/server", server);
  app.route("/relay", relay);
  app.get("/status", operatorOnly(deps), async (c) => c.json({ relays: await relayStatus(deps) }));
  return app;
}
