/**
 * Tunnel attach (ARCHITECTURE.md §3): a booting user server gets the alive relays, each with a
 * one-time nonce bound to (server, relay) and valid for 60 s; a relay then asks us to verify the
 * hello it received. The nonce is burned by one UPDATE … RETURNING whether or not the rest
 * checks out; TOTP must be within ±1 step. Failures count toward bans per source address (at
 * each relay) and, for genuinely issued nonces only, per server: see `verifyAttach`.
 */
import { and, eq, isNull } from "drizzle-orm";
import * as OTPAuth from "otpauth";
import { attachNonces, servers } from "../../shared/db/cloud/schema.ts";
import { randomToken } from "../../shared/crypto/mod.ts";
import type { CloudDeps } from "../deps.ts";
import { ATTACH_FAILURES, banRemaining, clearFailures, recordFailure } from "../throttle.ts";
import { aliveRelays } from "./liveness.ts";

export const NONCE_TTL_MS = 60_000;

export type { RelayOffer } from "../../shared/tunnel/offer.ts";
import type { RelayOffer } from "../../shared/tunnel/offer.ts";
import { NONCE_BYTES } from "../../shared/tunnel/hello.ts";

/** Alive relays, least loaded first, each with a fresh nonce for this server. */
export async function offerRelays(deps: CloudDeps, serverId: string, max = 8): Promise<RelayOffer[]> {
  const alive = (await aliveRelays(deps)).slice(0, max);
  const expiresAt = deps.now() + NONCE_TTL_MS;
  const offers = alive.map((r) => ({
    relayId: r.id,
    hostName: r.hostName,
    tunnelAddress: r.tunnelAddress,
    nonce: randomToken(NONCE_BYTES),
    expiresAt,
  }));
  if (offers.length) {
    await deps.db.write(() =>
      deps.db.orm.insert(attachNonces).values(
        offers.map((o) => ({ nonce: o.nonce, serverId, relayId: o.relayId, expiresAt })),
      )
    );
  }
  return offers;
}

export type AttachResult =
  | { ok: true; serverId: string; serverName: string }
  | {
    ok: false;
    status: 403 | 429;
    code: "attach_refused" | "throttled" | "server_suspended" | "server_deregistered";
    message: string;
    retryAfterMs?: number;
  };

export interface AttachRequest {
  serverId: string;
  nonce: string;
  totp: string;
  /** The address the hello came from, as the relay saw it (relays before 2026-12 omit it). */
  source?: string;
}

/**
 * Throttling never lets an unauthenticated party deny service to an authenticated one:
 * - every failure counts against the hello's *source address* at that relay
 *   (`attach:source:<relay>:<address>`), so junk from one address bans only that address;
 * - a failure counts against the claimed *server* only when its nonce was genuinely issued to
 *   that server for this relay (the TOTP was wrong, or the nonce expired): only the server
 *   itself holds such nonces, so no one else can use up its failures. A server id is public
 *   (it is the OIDC client id), so junk naming it must not count.
 * No key covers a whole relay: one address must not lock a relay for everyone.
 */
export async function verifyAttach(
  deps: CloudDeps,
  relayId: string,
  req: AttachRequest,
): Promise<AttachResult> {
  const sourceKey = `attach:source:${relayId}:${req.source ?? "unknown"}`;
  const serverKey = `attach:server:${req.serverId}`;
  for (const key of [sourceKey, serverKey]) {
    const wait = await banRemaining(deps, key);
    if (wait > 0) {
      return {
        ok: false,
        status: 429,
        code: "throttled",
        message: `Too many failed attaches; retry in ${Math.ceil(wait / 1000)} s`,
        retryAfterMs: wait,
      };
    }
  }
  const checked = await checkAttach(deps, relayId, req);
  if (!checked.ok && checked.code) {
    deps.log.info("attach refused: server stopped by an operator", { relayId, serverId: req.serverId });
    return { ok: false, status: 403, code: checked.code, message: checked.reason };
  }
  if (!checked.ok) {
    await recordFailure(deps, sourceKey, ATTACH_FAILURES);
    if (checked.genuine) await recordFailure(deps, serverKey, ATTACH_FAILURES);
    deps.log.warn("attach refused", {
      relayId,
      serverId: req.serverId,
      source: req.source,
      reason: checked.reason,
    });
    return { ok: false, status: 403, code: "attach_refused", message: checked.reason };
  }
  await clearFailures(deps, sourceKey);
  return { ok: true, serverId: req.serverId, serverName: checked.name };
}

type Checked =
  | { ok: true; name: string }
  /** `genuine`: the nonce was issued to this server for this relay (so the server sent it). */
  | { ok: false; reason: string; genuine: boolean; code?: "server_suspended" | "server_deregistered" };

async function checkAttach(
  deps: CloudDeps,
  relayId: string,
  req: AttachRequest,
): Promise<Checked> {
  const refuse = (reason: string, genuine = false): Checked => ({ ok: false, reason, genuine });
  const now = deps.now();
  const burned = await deps.db.write(() =>
    deps.db.orm.update(attachNonces).set({ usedAt: now })
      .where(and(eq(attachNonces.nonce, req.nonce), isNull(attachNonces.usedAt)))
      .returning()
  );
  const nonce = burned[0];
  if (!nonce) {
    const known = await deps.db.orm.select({ n: attachNonces.nonce }).from(attachNonces).where(
      eq(attachNonces.nonce, req.nonce),
    );
    return refuse(known.length ? "Nonce was already used" : "Nonce is unknown");
  }
  if (nonce.relayId !== relayId) return refuse("Nonce was issued for another relay");
  if (nonce.serverId !== req.serverId) return refuse("Nonce was issued for another server");
  if (nonce.expiresAt < now) return refuse("Nonce has expired", true);
  const server = (await deps.db.orm.select().from(servers).where(eq(servers.id, req.serverId)))[0];
  if (!server) return refuse("Server is not registered");
  // Not a failure to throttle: the server is genuine but an operator stopped it (edge/console).
  if (server.state !== "active") {
    return {
      ok: false,
      reason: `Server is ${server.state} (reason: ${server.stateReason ?? "other"})`,
      genuine: false,
      code: server.state === "suspended" ? "server_suspended" : "server_deregistered",
    };
  }
  const totp = new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(server.totpSecret),
    digits: 6,
    period: 30,
  });
  if (totp.validate({ token: req.totp, timestamp: now, window: 1 }) === null) {
    return refuse("TOTP code is not valid now", true);
  }
  return { ok: true, name: server.name };
}
